"""Import one YAML or JSON content file: territories, places, shops, sights, offers, walks, events.

Records are matched by slug (events by uid), so importing the same file again updates in place.
The whole file goes in one transaction: a single bad field and nothing is imported.

    territories: [{slug, name, latitude, longitude, timezone?, country?, description?}]
    places: [{slug, territory, name, kind, latitude, longitude, radius_m?, opening_hours?, shop?}]
    shops:  [{slug, territory, name, category, latitude, longitude, address?, opening_hours?, ...}]
    pois:   [{slug, territory, name, category, latitude, longitude, opening_hours?, website?}]
    offers: [{slug, shop, title, valid_from, valid_until, kind?, conditions?, hours?, quota?,
              partner_shop?, trigger_place?, trigger_kind?, condition?, per_visitor?,
              daily_quota?}]  (a cross-offer's condition follows from what it names: a tap at
              its trigger place or kind today, a passport from its partner shop; or "none")
    loyalty_cards: [{shop, reward, stamps_needed, reward_days?, min_interval_minutes?}]
              (one per shop: matched by its shop)
    walks:  [{slug, territory, name, description?, stops: [{name, latitude, longitude, ...}]}]
    events: [{uid, territory, title, starts_at, latitude, longitude, ends_at?, venue?, url?}]
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import ImportProblem
from server.importers import fields as f
from server.models import (
    Event,
    LoyaltyCard,
    Offer,
    OfferCondition,
    OfferKind,
    Place,
    PlaceKind,
    PointOfInterest,
    Shop,
    Territory,
    Walk,
    WalkStop,
)
from server.services import walk_editing

SECTIONS = (
    "territories",
    "shops",
    "places",
    "pois",
    "offers",
    "loyalty_cards",
    "walks",
    "events",
)
LOCATED = {"latitude": f.latitude, "longitude": f.longitude}
LISTING_OPTIONAL = {
    "description": f.translated,
    "opening_hours": f.opening_hours,
    "website": f.url,
}


@dataclass
class ContentReport:
    """How many records of each section were created or updated."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, section: str, created: bool) -> None:
        """Count one record."""
        target = self.created if created else self.updated
        target[section] = target.get(section, 0) + 1


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of every mapping, for error messages."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_file(path: Path) -> dict[str, Any]:
    """Parse YAML or JSON (JSON is read as YAML) with line numbers kept."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as error:
        raise ImportProblem(str(path), None, None, f"cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ImportProblem(str(path), None, None, "it is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or "not valid YAML or JSON"
        raise ImportProblem(str(path), line, None, str(reason)) from None
    if not isinstance(data, dict):
        raise ImportProblem(str(path), None, None, "the file must be a mapping of sections")
    unknown = sorted(set(data) - set(SECTIONS) - {"__line__", "demo"})
    if unknown:
        raise ImportProblem(
            str(path), data["__line__"], unknown[0], f"unknown section; use {', '.join(SECTIONS)}"
        )
    return data


def import_content(session: Session, path: Path, demo: bool | None = None) -> ContentReport:
    """Import a content file into `session` (the caller commits, or rolls back on error)."""
    data = load_file(path)
    importer = _Importer(session, str(path), bool(data.get("demo")) if demo is None else demo)
    for section in SECTIONS:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise ImportProblem(str(path), data["__line__"], section, "must be a list of entries")
        for entry in entries:
            line = entry.get("__line__") if isinstance(entry, dict) else None
            getattr(importer, section)(entry, f.Where(str(path), line))
            session.flush()
    return importer.report


class _Importer:
    def __init__(self, session: Session, path: str, demo: bool) -> None:
        self.session, self.path, self.demo = session, path, demo
        self.report = ContentReport()

    def _upsert(self, model: Any, key: str, values: dict[str, Any], section: str) -> Any:
        column = getattr(model, key)
        row = self.session.scalars(select(model).where(column == values[key])).first()
        created = row is None
        if row is None:
            row = model()
            self.session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.demo = self.demo
        self.report.count(section, created)
        return row

    def _find(self, model: Any, slug: str, where: f.Where, name: str, field: str = "") -> Any:
        row = self.session.scalars(select(model).where(model.slug == slug)).first()
        if row is None:
            message = f"there is no {name} {slug!r} in this file or the database"
            raise where.problem(field or name, message)
        return row

    def territories(self, entry: Any, where: f.Where) -> None:
        values = f.clean(
            entry,
            where,
            {"slug": f.slug, "name": f.text(), **LOCATED},
            {"timezone": f.timezone, "country": f.text(2), "description": f.translated},
        )
        self._upsert(Territory, "slug", values, "territories")

    def _with_territory(self, values: dict[str, Any], where: f.Where) -> dict[str, Any]:
        values["territory_id"] = self._find(
            Territory, values.pop("territory"), where, "territory"
        ).id
        return values

    def shops(self, entry: Any, where: f.Where) -> None:
        required = {"slug": f.slug, "territory": f.slug, "name": f.text(), "category": f.text(40)}
        optional = {**LISTING_OPTIONAL, "address": f.text(), "phone": f.text(40)}
        values = f.clean(entry, where, {**required, **LOCATED}, optional)
        self._upsert(Shop, "slug", self._with_territory(values, where), "shops")

    def pois(self, entry: Any, where: f.Where) -> None:
        required = {"slug": f.slug, "territory": f.slug, "name": f.text(), "category": f.text(40)}
        values = f.clean(entry, where, {**required, **LOCATED}, LISTING_OPTIONAL)
        self._upsert(PointOfInterest, "slug", self._with_territory(values, where), "pois")

    def places(self, entry: Any, where: f.Where) -> None:
        kinds = f.choice(*(kind.value for kind in PlaceKind))
        required = {"slug": f.slug, "territory": f.slug, "name": f.text(), "kind": kinds}
        optional = {
            "radius_m": f.whole(50, 5000),
            "opening_hours": f.opening_hours,
            "description": f.translated,
            "shop": f.slug,
        }
        values = self._with_territory(
            f.clean(entry, where, {**required, **LOCATED}, optional), where
        )
        values["kind"] = PlaceKind(values["kind"])
        if "shop" in values:
            values["shop_id"] = self._find(Shop, values.pop("shop"), where, "shop").id
        self._upsert(Place, "slug", values, "places")

    def offers(self, entry: Any, where: f.Where) -> None:
        required = {
            "slug": f.slug,
            "shop": f.slug,
            "title": f.translated,
            "valid_from": f.date,
            "valid_until": f.date,
        }
        optional = {
            "kind": f.choice(*(kind.value for kind in OfferKind)),
            "conditions": f.translated,
            "hours": f.opening_hours,
            "quota": f.whole(1, 10**6),
            "partner_shop": f.slug,
            "trigger_place": f.slug,
            "trigger_kind": f.choice(*(kind.value for kind in PlaceKind)),
            "condition": f.choice("none"),
            "per_visitor": f.whole(1, 10**4),
            "daily_quota": f.whole(1, 10**6),
        }
        values = f.clean(entry, where, required, optional)
        if values["valid_until"] < values["valid_from"]:
            raise where.problem("valid_until", "comes before valid_from")
        values["kind"] = OfferKind(values.get("kind", "deal"))
        values["shop_id"] = self._find(Shop, values.pop("shop"), where, "shop").id
        if "partner_shop" in values:
            values["partner_shop_id"] = self._find(
                Shop, values.pop("partner_shop"), where, "shop"
            ).id
        if "trigger_place" in values:
            trigger = self._find(
                Place, values.pop("trigger_place"), where, "place", "trigger_place"
            )
            values["trigger_place_id"] = trigger.id
        if values["kind"] is OfferKind.CROSS and not {
            "partner_shop_id",
            "trigger_place_id",
            "trigger_kind",
        } & set(values):
            raise where.problem(
                "kind", "a cross-offer needs a partner_shop, a trigger_place or a trigger_kind"
            )
        values["condition"] = _condition(values)
        offer = self._upsert(Offer, "slug", values, "offers")
        # A content file is an administrator's: the partner offers in it are agreed already.
        if offer.partner_shop_id is not None and offer.partner_agreed_at is None:
            offer.partner_agreed_at = clock.now()

    def loyalty_cards(self, entry: Any, where: f.Where) -> None:
        required = {"shop": f.slug, "reward": f.translated, "stamps_needed": f.whole(2, 50)}
        optional = {"reward_days": f.whole(1, 366), "min_interval_minutes": f.whole(0, 10080)}
        values = f.clean(entry, where, required, optional)
        values["shop_id"] = self._find(Shop, values.pop("shop"), where, "shop").id
        values.setdefault("reward_days", 90)
        values.setdefault("min_interval_minutes", 240)
        values["active"] = True
        self._upsert(LoyaltyCard, "shop_id", values, "loyalty_cards")

    def walks(self, entry: Any, where: f.Where) -> None:
        required = {"slug": f.slug, "territory": f.slug, "name": f.text(), "stops": _stops}
        values = f.clean(entry, where, required, {"description": f.translated})
        stops = values.pop("stops")
        for position, stop in enumerate(stops, start=1):
            stop_where = f.Where(self.path, stop.get("__line__", where.line))
            stop.pop("__line__", None)
            checked = f.clean(
                stop,
                stop_where,
                {"name": f.text(), **LOCATED},
                {"note": f.translated, "url": f.url},
            )
            stops[position - 1] = WalkStop(position=position, **checked)
        values["start_latitude"] = stops[0].latitude
        values["start_longitude"] = stops[0].longitude
        walk = self._upsert(Walk, "slug", self._with_territory(values, where), "walks")
        walk_editing.store(self.session, walk, {}, stops)

    def events(self, entry: Any, where: f.Where) -> None:
        required = {
            "uid": f.text(255),
            "territory": f.slug,
            "title": f.text(),
            "starts_at": f.moment,
            **LOCATED,
        }
        optional = {
            "ends_at": f.moment,
            "venue": f.text(),
            "url": f.url,
            "description": f.translated,
        }
        values = f.clean(entry, where, required, optional)
        if values.get("ends_at") and values["ends_at"] < values["starts_at"]:
            raise where.problem("ends_at", "comes before starts_at")
        self._upsert(Event, "uid", self._with_territory(values, where), "events")


def _stops(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ValueError("must be a list of at least one stop, each a mapping")
    return [dict(stop) for stop in value]


def _condition(values: dict[str, Any]) -> OfferCondition:
    """What a cross-offer asks before a code, from what it names (unless it says "none")."""
    if values.get("kind") is not OfferKind.CROSS or values.get("condition") == "none":
        return OfferCondition.NONE
    if "trigger_kind" in values:
        values["trigger_kind"] = PlaceKind(values["trigger_kind"])
        return OfferCondition.TAP_KIND
    if "trigger_place_id" in values:
        return OfferCondition.TAP_PLACE
    return OfferCondition.PASSPORT
