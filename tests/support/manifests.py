"""Manifests as the server issues them, signed with a throwaway keyring, for tests without one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tags import codes
from tags.keyring import Keyring
from tags.ntag424.layout import CHIP as SUN_CHIP
from tags.ntag424.layout import sun_url
from tags.urls import MirrorMode, tap_url

BASE = "https://t.example.org"


def manifest(
    count: int,
    *,
    batch: int = 1,
    first_tag: int = 1001,
    chip: str = "ntag213",
    mirror: str | None = None,
    password: bool = False,
    lock: bool = False,
    base: str = BASE,
) -> dict[str, Any]:
    """A taptrail-manifest/1 of `count` signed URLs."""
    ring = Keyring.create()
    mode = MirrorMode(mirror) if mirror else None
    stickers = []
    for tag_id in range(first_tag, first_tag + count):
        code = codes.issue(ring, tag_id)
        url = sun_url(base, code) if chip == SUN_CHIP else tap_url(base, code, mode)
        stickers.append({"tag_id": tag_id, "code": code, "url": url})
    return {
        "format": "taptrail-manifest/1",
        "batch": batch,
        "place": {"slug": "la-piscine", "name": "La Piscine"},
        "chip": chip,
        "base_url": base,
        "mirror": mirror,
        "password": password,
        "lock": lock,
        "stickers": stickers,
    }


def manifest_file(folder: Path, count: int, **options: Any) -> Path:
    """The manifest written to a file, as 'taptrail batches export --out' does."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest(count, **options)))
    return path
