"""The simulator's state file: every sticker's memory and counters, kept across runs."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tags.virtual.kinds import AnySticker, sticker_from_dict
from tags.virtual.sticker import StickerStateError

FORMAT = "taptrail-virtual-stickers/1"


def save_stickers(path: Path, stickers: list[AnySticker]) -> None:
    """Write the stickers atomically (a crash never leaves half a file)."""
    data = {"format": FORMAT, "stickers": [sticker.to_dict() for sticker in stickers]}
    # One json.dumps (the C encoder) rather than json.dump's Python one: a save runs beside the
    # link thread, which must get the interpreter back within nfcpy's 5 ms.
    text = json.dumps(data)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def load_stickers(path: Path) -> list[AnySticker]:
    """Read the stickers saved in `path`, or raise StickerStateError saying what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise StickerStateError(f"cannot read the state file {path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StickerStateError(f"{path} is not a virtual sticker state file")
    return [sticker_from_dict(item) for item in data.get("stickers", [])]
