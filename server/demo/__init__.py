"""Demo data for the three pilot areas: content, transit stops, events and installed stickers.

Loading is idempotent: content is matched by slug, and places that already have demo stickers
get no new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.demo.pictures import add_demo_photos
from server.importers.content import import_content
from server.importers.gtfs import import_gtfs
from server.importers.ical import import_ical
from server.importers.streetmap import import_osm
from server.models import Place, Role, Shop, Sticker, StickerStatus, Territory, User
from server.services import accounts, branding
from server.services.batches import issue_batch
from tags.keyring import Keyring
from tags.urls import tap_url

# Where the demo stickers hang: museum exits, a market hall, stations, shop windows.
STICKERS: dict[str, tuple[str, ...]] = {
    "la-piscine": ("sortie principale", "sortie de la boutique"),
    "la-condition-publique": ("entrée rue Jules Guesde",),
    "villa-cavrois": ("sortie du parc",),
    "musee-bataille-fromelles": ("sortie",),
    "marche-de-wazemmes": ("halle, entrée nord",),
    "gare-jean-lebas": ("sortie du métro",),
    "vitrine-comptoir-de-la-piscine": ("vitrine",),
    "vitrine-brasserie-du-beffroi": ("vitrine",),
    "vitrine-epicerie-les-halles": ("vitrine",),
    "vitrine-estaminet-des-weppes": ("vitrine",),
}
EVENTS = {"events-roubaix.ics": "roubaix", "events-wazemmes.ics": "lille-wazemmes"}
EVENTS["events-weppes.ics"] = "weppes"


# One account per role; the shop owners keep the shops on either side of a partner offer.
ACCOUNTS: tuple[tuple[str, Role, tuple[str, ...]], ...] = (
    ("admin@demo.taptrail.invalid", Role.ADMINISTRATOR, ()),
    ("staff@demo.taptrail.invalid", Role.STAFF, ()),
    ("comptoir@demo.taptrail.invalid", Role.SHOP_OWNER, ("comptoir-de-la-piscine",)),
    ("atelier@demo.taptrail.invalid", Role.SHOP_OWNER, ("atelier-textile-roubaisien",)),
    ("analyst@demo.taptrail.invalid", Role.ANALYST, ()),
)


@dataclass
class DemoLoaded:
    """What loading did, tap URLs to try, and the demo accounts with their new passwords."""

    summary: str = ""
    urls: list[tuple[str, str]] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, password


def demo_file(name: str) -> Path:
    """A file shipped with the demo data."""
    return Path(str(resources.files("server.demo").joinpath(name)))


def fake_uid(tag_id: int) -> str:
    """A stable, NXP-looking UID (manufacturer byte 04) for a demo sticker."""
    return "04" + hashlib.sha256(f"demo-{tag_id}".encode()).hexdigest()[:12].upper()


# One demo territory carries a brand of its own, over the deployment's (server/demo/brand.yaml):
# a fictional tourist office, as a territory run by another body would have.
WEPPES_BRAND = {
    "service_name": "Balades dans les Weppes (démo)",
    "operator_name": "Office de tourisme des Weppes (démo)",
    "primary_color": "#2e6b30",
    "accent_color": "#7a4a00",
}


def _brand_weppes(session: Session) -> None:
    weppes = session.scalars(select(Territory).where(Territory.slug == "weppes")).one()
    branding.set_territory(weppes, WEPPES_BRAND)


def load_demo(
    session: Session,
    ring: Keyring,
    base_url: str,
    now: dt.datetime | None = None,
    *,
    passwords: accounts.Passwords,
    media: str | Path | None = None,
) -> DemoLoaded:
    """Load or refresh the demo as of `now` (the clock's by default: its events are those of
    the year from then), with its drawn photos stored in `media` when given; returns a summary
    and tap URLs of demo stickers."""
    now = now or clock.now()
    report = import_content(session, demo_file("content.yaml"), demo=True)
    stops = import_gtfs(session, demo_file("gtfs"), feed="demo", demo=True, replace=True).stored
    events = sum(
        import_ical(session, demo_file(name), territory, demo=True, now=now).stored
        for name, territory in EVENTS.items()
    )
    pictures = add_demo_photos(session, media) if media is not None else 0
    _brand_weppes(session)
    # A street map of each area, drawn by hand (see the file's header); a real extract imported
    # later replaces it.
    maps, _ = import_osm(session, demo_file("streets.osm"), keep_other_sources=True)
    added = 0
    for slug, spots in STICKERS.items():
        place = session.scalars(select(Place).where(Place.slug == slug)).one()
        has = select(Sticker.id).where(Sticker.place_id == place.id, Sticker.demo.is_(True))
        if session.scalars(has).first() is not None:
            continue
        batch = issue_batch(
            session, ring, place_slug=slug, count=len(spots), base_url=base_url, note="demo"
        )
        for sticker, spot in zip(batch.stickers, spots, strict=True):
            sticker.location, sticker.demo = spot, True
            sticker.status, sticker.chip, sticker.uid = (
                StickerStatus.INSTALLED,
                "ntag213",
                fake_uid(sticker.id),
            )
            sticker.encoded_at = sticker.installed_at = now
            added += 1
    session.flush()
    stickers = session.scalars(
        select(Sticker).where(Sticker.demo.is_(True)).order_by(Sticker.id)
    ).all()
    content = sum(report.created.values()) + sum(report.updated.values())
    loaded = DemoLoaded(
        f"{content} content records, {stops} transit stops, {events} event dates, "
        f"street maps of {len(maps)} areas, {added} new stickers ({len(stickers)} in all), "
        f"{pictures} new photos"
    )
    for sticker in stickers:
        label = f"{sticker.place.name}, {sticker.location}"
        loaded.urls.append((label, tap_url(base_url, sticker.code)))
    loaded.accounts = demo_accounts(session, now, passwords)
    return loaded


def demo_accounts(
    session: Session, now: dt.datetime, passwords: accounts.Passwords
) -> list[tuple[str, str, str]]:
    """Create the demo accounts, or give them new passwords: made up now, printed, and never
    stored anywhere but as argon2 hashes (so nothing secret is in the repository)."""
    made = []
    for email, role, shops in ACCOUNTS:
        user = session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = accounts.create_user(session, email, role, demo=True)
        user.role, user.active = role, True
        password = secrets.token_urlsafe(9)
        accounts.set_password(user, password, now, passwords=passwords)
        for slug in shops:
            accounts.give_shop(
                session, user, session.scalars(select(Shop.id).where(Shop.slug == slug)).one()
            )
        made.append((email, role.value, password))
    return made
