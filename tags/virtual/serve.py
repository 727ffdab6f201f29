"""A virtual reader in a process of its own, driven by JSON lines on stdin (see remote.py).

    python -m tags.virtual.serve '{"chip": "ntag213", "count": 3}'

It prints {"port": N, "priority": ...} once serving, then answers each request line
({"op": "next" | "take_away" | "put_back" | "faults" | "snapshot" | "stop", ...}) with a
snapshot of the stickers.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tags.virtual.faults import Faults
from tags.virtual.kinds import profile_by_name
from tags.virtual.reader import VirtualReader
from tags.virtual.roll import Roll


def build_reader(config: dict[str, Any]) -> VirtualReader:
    """The reader a subprocess configuration describes."""
    roll = Roll(profile_by_name(config["chip"]), count=config.get("count"), seed=config.get("seed"))
    return VirtualReader(
        roll,
        Faults(**config.get("faults", {})),
        take_away_after_read_back=config.get("take_away_after_read_back", False),
        port=config.get("port", 0),
    )


def apply(reader: VirtualReader, request: dict[str, Any]) -> bool:
    """Carry out one request; False when asked to stop."""
    operation = request.get("op")
    if operation == "next":
        reader.next_sticker()
    elif operation == "take_away":
        reader.take_away()
    elif operation == "put_back":
        reader.put_back()
    elif operation == "faults":
        reader.set_faults(Faults(**request.get("faults", {})))
    return operation != "stop"


def main(argv: list[str] | None = None) -> None:
    """Serve until stdin closes or a "stop" request comes."""
    argv = sys.argv[1:] if argv is None else argv
    reader = build_reader(json.loads(argv[0]))
    with reader:
        print(json.dumps({"port": reader.port, "priority": reader.priority}), flush=True)
        for line in sys.stdin:
            going_on = apply(reader, json.loads(line))
            print(json.dumps(reader.snapshot()), flush=True)
            if not going_on:
                break


if __name__ == "__main__":
    main()
