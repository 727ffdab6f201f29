"""RF exchanges and seconds per sticker of `tagwriter batch`, on the virtual chip.

    python -m bench.encode [--stickers N]

The least the job needs per sticker, counted in frames the chip receives:
- identification: activation of a 7-byte UID (REQA, then anticollision and select at both
  cascade levels: 5 frames) and one GET_VERSION;
- one WRITE per page that must change: the NDEF pages that differ from a blank sticker, and for
  a mirrored or protected batch the configuration pages (CFG0, CFG1, PWD, PACK) that differ from
  the factory values;
- one verifying read (a FAST_READ of everything written);
- with the mirror on, the checks after new power-ups: per power-up a reactivation of the known
  UID (REQA and select at both cascade levels: 3 frames) and one FAST_READ of the mirror, once
  for a UID mirror, twice when the counter is mirrored (it must go up);
- with a password, one PWD_AUTH right after PWD and PACK are written.
For an NTAG 424 DNA (keys from a stand-in for the server's POST /api/v1/sun-keys, the same
derivation without the network): one ISO-DEP activation (the 5 frames, then RATS), selecting
the NDEF application, AuthenticateEV2First (2 frames), WriteData of the URL, ChangeFileSettings,
five ChangeKey, then the two verifying taps, each a reactivation of the known UID with RATS (4
frames), the select and one ReadData answered in one frame.
The `reset` row times `tagwriter reset`'s work on personalised NTAG 424 DNA stickers (the
library, keys derived locally): the least is the activation with RATS, the select, one ReadData
(the URL names the code whose keys open the chip), AuthenticateEV2First (2 frames),
ChangeFileSettings, five ChangeKey and one WriteData of zeros; the tool also asks the five key
versions and the file settings first, to know which keys are left after a pull.
Target: at most 1.5 times that. Everything else (the journal's fsync, the batch loop) shows in
the seconds. No server: registration is a network round trip of its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from tags.chipconfig import ChipConfig
from tags.chips import NTAG213, PAGE_SIZE
from tags.mirror import mirror_position
from tags.ntag424.facts import NTAG424DNA
from tags.ntag424.keys import StickerKeys, sticker_keys
from tags.realtime import priority_raised
from tags.urls import MirrorMode
from tags.virtual import Roll, VirtualReader
from tags.virtual.memory import factory_memory
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tagwriter.batch import BatchRun
from tagwriter.client import ServerUnreachable
from tagwriter.device import open_reader
from tagwriter.journal import Journal
from tagwriter.manifest import parse_manifest
from tagwriter.ntag424.personalise import personalise
from tagwriter.ntag424.reset import reset
from tagwriter.plan import layout
from tests.support.manifests import manifest

ACTIVATION = 5  # REQA, SDD and SEL at cascade levels 1 and 2
GET_VERSION = 1
VERIFYING_READ = 1
TARGET = 1.5
SECRET = b"bench secret, 32 bytes or so...."
SCENARIOS = {
    "plain URL": {},
    "mirror both": {"mirror": "both"},
    "mirror both + password": {"mirror": "both", "password": True},
    "NTAG 424 DNA, SUN": {"chip": "ntag424"},
}


class Quiet:
    """A reporter that keeps quiet: the benchmark measures the tool, not the terminal."""

    def say(self, text: str) -> None:
        """Nothing."""

    def progress(self, done: int, total: int) -> None:
        """Nothing."""


REACTIVATION = 3  # REQA, then SEL at both cascade levels: the UID is known
MIRROR_READ = 1
PWD_AUTH = 1
# NTAG 424 DNA
RATS = 1
SELECT_APPLICATION = 1
AUTHENTICATE = 2
PERSONALISE = 1 + 1 + 5  # WriteData, ChangeFileSettings, ChangeKey of keys 1 to 4 and 0
VERIFYING_TAP = REACTIVATION + RATS + SELECT_APPLICATION + 1  # then one ReadData
LEAST_424 = ACTIVATION + RATS + SELECT_APPLICATION + AUTHENTICATE + PERSONALISE + 2 * VERIFYING_TAP
RESET = 1 + 1 + 5 + 1  # ReadData, ChangeFileSettings, ChangeKey of keys 1 to 4 and 0, WriteData
LEAST_RESET = ACTIVATION + RATS + SELECT_APPLICATION + AUTHENTICATE + RESET


class LocalKeys:
    """Stands in for the server: the keys of POST /api/v1/sun-keys, derived here, no network."""

    def __init__(self) -> None:
        self.master = os.urandom(16)

    def sun_keys(self, code: str, uid: str) -> StickerKeys:
        """The keys the server would give."""
        return sticker_keys(self.master, bytes.fromhex(uid), 1)

    def register(self, *args: object) -> int:
        """Registration is a round trip of its own: left out, as for NTAG21x."""
        raise ServerUnreachable("the benchmark has no server")


def least_exchanges(url: str, mirror: MirrorMode | None, password: bool) -> int:
    """The fewest frames that identify, write what must change and read it back once."""
    blank = factory_memory(NTAG213, bytes.fromhex("04000000000000"))
    pages = layout(url, NTAG213).pages
    changed = sum(
        blank[page * PAGE_SIZE : (page + 1) * PAGE_SIZE] != data for page, data in pages.items()
    )
    factory = ChipConfig()
    wanted = mirror_position(url, NTAG213, mirror).apply(factory) if mirror else factory
    if password:
        wanted = replace(wanted, auth0=3)
        changed += 2  # PWD and PACK
    changed += (wanted.cfg0() != factory.cfg0()) + (wanted.cfg1() != factory.cfg1())
    power_ups = 0 if mirror is None else 1 if mirror is MirrorMode.UID else 2
    checks = power_ups * (REACTIVATION + MIRROR_READ) + (PWD_AUTH if password else 0)
    return ACTIVATION + GET_VERSION + changed + VERIFYING_READ + checks


def run(count: int, options: dict) -> tuple[list[int], float, int]:
    """Write a roll of `count`; (exchanges per sticker, seconds, least exchanges)."""
    data = manifest(count, **options)
    batch = parse_manifest(data, "bench")
    sun = batch.sun
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal.open(Path(folder) / "batch.jsonl", data)
        roll = Roll(NTAG424DNA if sun else NTAG213, count=count, seed=1)
        client = LocalKeys() if sun else None
        with VirtualReader(roll, take_away_after_read_back=True) as reader, priority_raised():
            clf = open_reader(reader.path)
            started = time.perf_counter()
            BatchRun(batch, journal, clf, Quiet(), client, secret=SECRET).run()  # type: ignore[arg-type]
            seconds = time.perf_counter() - started
            clf.close()
            reader.wait_until(lambda: reader.sticker is None)
        exchanges = [sticker.stats.exchanges for sticker in reader.stickers]
    entry = batch.entries[0]
    least = LEAST_424 if sun else least_exchanges(entry.url, batch.mirror, batch.password)
    return exchanges, seconds, least


def run_reset(count: int) -> tuple[list[int], float, int]:
    """Personalise `count` NTAG 424 DNA stickers, then reset each; (exchanges, seconds, least)."""
    master = os.urandom(16)
    url = manifest(1, chip="ntag424")["stickers"][0]["url"]
    exchanges, seconds = [], 0.0
    with VirtualReader() as reader, priority_raised():
        clf = open_reader(reader.path)
        for _ in range(count):
            sticker = Ntag424Sticker.blank()
            reader.present(sticker)
            personalise(clf, url, master, 1)
            before = sticker.stats.exchanges
            started = time.perf_counter()
            reset(clf, lambda found: sticker_keys(master, found.uid, 1))
            seconds += time.perf_counter() - started
            exchanges.append(sticker.stats.exchanges - before)
        clf.close()
    return exchanges, seconds, LEAST_RESET


def main() -> None:
    """Run every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stickers", type=int, default=100)
    count = parser.parse_args().stickers
    print(f"{count} stickers per scenario (NTAG213 unless named), virtual reader on loopback")
    print(f"{'scenario':<24} {'exchanges':>9} {'least':>5} {'ratio':>5} {'ms/sticker':>10}")
    worst = 0.0
    for name, options in SCENARIOS.items():
        exchanges, seconds, least = run(count, options)
        mean = statistics.mean(exchanges)
        worst = max(worst, mean / least)
        print(
            f"{name:<24} {mean:>9.1f} {least:>5} {mean / least:>5.2f} "
            f"{1000 * seconds / count:>10.1f}"
        )
    exchanges, seconds, least = run_reset(count)
    mean = statistics.mean(exchanges)
    worst = max(worst, mean / least)
    name = "NTAG 424 DNA, reset"
    print(
        f"{name:<24} {mean:>9.1f} {least:>5} {mean / least:>5.2f} {1000 * seconds / count:>10.1f}"
    )
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"worst ratio {worst:.2f}: {verdict} the target of {TARGET} times the least")


if __name__ == "__main__":
    main()
