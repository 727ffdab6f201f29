"""The feeds an operator configures: a YAML file named by TAPTRAIL_MOBILITY_FEEDS.

    feeds:
      - name: vlille                  # letters, digits, - and _; names its snapshot
        kind: gbfs                    # gbfs | lille-parkings | datex2 | gtfs-rt
        url: https://.../gbfs.json    # for datex2, the ParkingStatusPublication
        every: 60                     # seconds between fetches, at least (GBFS ttl may ask more)
        stale_after: 600              # past this age a figure is shown as unknown
        table_url: https://...        # datex2 only: the ParkingTablePublication (names, places)
        places_url: https://...       # car parks: a "lieux de stationnement" CSV (static facts)
        gtfs_feed: ilevia             # gtfs-rt only: the imported GTFS feed it applies to

See docs/mobility.md for each kind and the public feeds that serve Lille.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from server.config import ConfigError, read_settings_file

KINDS = ("gbfs", "lille-parkings", "datex2", "gtfs-rt")
# What each kind's snapshot holds, for the pages.
HOLDS = {"gbfs": "bikes", "lille-parkings": "parking", "datex2": "parking", "gtfs-rt": "transit"}
DEFAULT_EVERY = {"gbfs": 60, "lille-parkings": 120, "datex2": 120, "gtfs-rt": 30}
DEFAULT_STALE = {"gbfs": 600, "lille-parkings": 900, "datex2": 900, "gtfs-rt": 300}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


class FeedSettingsError(ConfigError):
    """The feeds file cannot be used; the message says which entry and what to change."""


@dataclass(frozen=True)
class FeedSettings:
    """One feed as configured."""

    name: str
    kind: str
    url: str
    every: float
    stale_after: float
    table_url: str | None = None
    places_url: str | None = None  # lille-parkings, datex2: the BNLS CSV of their static facts
    gtfs_feed: str | None = None

    @property
    def holds(self) -> str:
        """bikes, parking or transit."""
        return HOLDS[self.kind]


def load(path: str | Path | None) -> list[FeedSettings]:
    """The feeds configured in the YAML file at `path` (none when `path` is empty)."""
    if not path:
        return []
    text = read_settings_file(Path(path), "TAPTRAIL_MOBILITY_FEEDS")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FeedSettingsError(f"TAPTRAIL_MOBILITY_FEEDS: {path} is not YAML ({error})") from None
    entries = document.get("feeds") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise FeedSettingsError(f"{path}: write a list under 'feeds:' (see docs/mobility.md)")
    feeds = [parse(entry, f"{path}: feed {number}") for number, entry in enumerate(entries, 1)]
    names = [feed.name for feed in feeds]
    if len(set(names)) != len(names):
        raise FeedSettingsError(f"{path}: two feeds have the same name; give each its own")
    return feeds


def parse(entry: Any, where: str) -> FeedSettings:
    """One entry of the feeds file, checked."""
    if not isinstance(entry, dict):
        raise FeedSettingsError(f"{where}: write it as name:, kind:, url:")
    name, kind, url = (str(entry.get(key) or "") for key in ("name", "kind", "url"))
    if not NAME.fullmatch(name):
        raise FeedSettingsError(f"{where}: name it with letters, digits, - and _ (up to 40)")
    if kind not in KINDS:
        raise FeedSettingsError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}")
    for key in ("url", "table_url", "places_url"):
        value = entry.get(key)
        if (key == "url" or value) and not str(value or "").startswith(("http://", "https://")):
            raise FeedSettingsError(f"{where} ({name}): {key} must be an http(s) URL")
    if entry.get("places_url") and HOLDS[kind] != "parking":
        raise FeedSettingsError(f"{where} ({name}): places_url is for car park feeds only")
    try:
        every = float(entry.get("every", DEFAULT_EVERY[kind]))
        stale = float(entry.get("stale_after", DEFAULT_STALE[kind]))
    except (TypeError, ValueError):
        raise FeedSettingsError(f"{where} ({name}): every and stale_after are seconds") from None
    if every < 5 or stale <= 0:
        raise FeedSettingsError(f"{where} ({name}): every is at least 5 s, stale_after above 0")
    return FeedSettings(
        name,
        kind,
        url,
        every,
        stale,
        table_url=entry.get("table_url") or None,
        places_url=entry.get("places_url") or None,
        gtfs_feed=entry.get("gtfs_feed") or None,
    )
