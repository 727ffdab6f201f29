"""Batch manifests (taptrail-manifest/1), from the server or a file an administrator exported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tags import codes
from tags.chips import ChipProfile, UnknownChipError, chip_by_name
from tags.ntag424.facts import NTAG424DNA, Ntag424Profile
from tags.ntag424.layout import CHIP as SUN_CHIP
from tags.ntag424.layout import sun_url
from tags.urls import MirrorMode, UrlError, check_base, tap_url
from tagwriter.errors import TagwriterError

FORMAT = "taptrail-manifest/1"
EXPORT = "export it again with 'taptrail batches export ID --out FILE'"


class ManifestError(TagwriterError):
    """A manifest that cannot be used."""


@dataclass(frozen=True)
class Entry:
    """One URL of the batch."""

    tag_id: int
    code: str
    url: str


@dataclass(frozen=True)
class Batch:
    """What to write: the URLs, and how each sticker is set up."""

    id: int
    place: str
    chip: ChipProfile | Ntag424Profile
    base_url: str
    mirror: MirrorMode | None
    password: bool
    lock: bool
    entries: list[Entry]
    manifest: dict[str, Any]

    @property
    def sun(self) -> bool:
        """An NTAG 424 DNA batch: SUN URLs, keys from the server."""
        return isinstance(self.chip, Ntag424Profile)


def load_manifest(path: Path) -> Batch:
    """Read and check a manifest file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestError(f"cannot read {path} ({error.strerror}): check the path") from None
    except ValueError as error:
        raise ManifestError(f"{path} is not valid JSON ({error}): {EXPORT}") from None
    return parse_manifest(data, str(path))


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], source: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestError(f"{source}: {name!r} is missing or malformed: {EXPORT}")
    return value


def parse_manifest(data: Any, source: str) -> Batch:
    """Check a manifest as parsed JSON; ManifestError names what is wrong and what to do."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{source} is not a TapTrail manifest ({FORMAT}): {EXPORT}")
    place = _field(data, "place", dict, source)
    chip: ChipProfile | Ntag424Profile
    try:
        name = _field(data, "chip", str, source)
        chip = NTAG424DNA if name.lower() == SUN_CHIP else chip_by_name(name)
        base = check_base(_field(data, "base_url", str, source))
        mirror = MirrorMode(data["mirror"]) if data.get("mirror") is not None else None
    except (UnknownChipError, UrlError, ValueError) as error:
        raise ManifestError(f"{source}: {error}: {EXPORT}") from None
    entries = [
        _entry(item, base, mirror, f"{source}, sticker {index + 1}", chip is NTAG424DNA)
        for index, item in enumerate(_field(data, "stickers", list, source))
    ]
    if not entries or len({e.code for e in entries}) != len(entries):
        raise ManifestError(f"{source}: no stickers, or one code twice: {EXPORT}")
    return Batch(
        id=_field(data, "batch", int, source),
        place=str(place.get("slug", "")),
        chip=chip,
        base_url=base,
        mirror=mirror,
        password=_field(data, "password", bool, source),
        lock=_field(data, "lock", bool, source),
        entries=entries,
        manifest=data,
    )


def _entry(item: Any, base: str, mirror: MirrorMode | None, source: str, sun: bool) -> Entry:
    if not isinstance(item, dict):
        raise ManifestError(f"{source} is not an object: {EXPORT}")
    code = _field(item, "code", str, source)
    try:
        codes.split(code)
    except codes.CodeError as error:
        raise ManifestError(f"{source}: the code {code!r} is {error}: {EXPORT}") from None
    url = _field(item, "url", str, source)
    if url != (sun_url(base, code) if sun else tap_url(base, code, mirror)):
        raise ManifestError(f"{source}: the URL does not match its code and base: {EXPORT}")
    return Entry(_field(item, "tag_id", int, source), code, url)
