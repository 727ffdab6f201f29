"""Whose service visitors see: the service's and operator's names, logo, colours and links.

The deployment's brand comes from TAPTRAIL_BRAND_* settings (or a YAML brand file); a territory
may override any of its values (stored on the territory, edited in the portal or with
`taptrail brand`). Every value is checked when set, colours for contrast (WCAG 2.x AA), so a
brand that cannot be read never reaches a page.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from server.config import ConfigError, read_settings_file
from server.errors import N_, Problems
from server.models import Territory
from server.services import contrast, logos
from server.services.listings import clean_fields, text, website

FIELDS = (
    "service_name",
    "operator_name",
    "logo",
    "primary_color",
    "accent_color",
    "contact_url",
    "legal_url",
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Control characters (NUL...) but tabs and line breaks, which the checks fold into spaces: the
# portal's forms never bring them, a brand file's "\0" escapes could.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Brand:
    """A brand as pages, the manifest, labels and emails use it."""

    service_name: str = "TapTrail"
    operator_name: str | None = None
    logo: str | None = None  # a path to an SVG or PNG file on this host
    primary_color: str = "#0b57d0"  # links, buttons, the app's theme: white text on it
    accent_color: str = "#b3261e"  # numbered marks: white text on it
    contact_url: str | None = None
    legal_url: str | None = None

    @property
    def operator(self) -> str:
        """Who offers the service: the operator's name, or the service's own."""
        return self.operator_name or self.service_name

    @property
    def logo_kind(self) -> str | None:
        """ "svg", "png" or None."""
        return logos.kind_of(self.logo) if self.logo else None

    def values(self) -> dict[str, Any]:
        """Every field, by name."""
        return dataclasses.asdict(self)


DEFAULT = Brand()


def colour(value: str) -> str | None:
    """A "#rrggbb" colour readable as white text on it and as text on white (WCAG AA)."""
    if not value.strip():
        return None
    try:
        found = contrast.normalised(value)
    except ValueError:
        raise ValueError(N_("Write a colour like #0b57d0.")) from None
    ratio = contrast.ratio(found, contrast.WHITE)
    if ratio < contrast.AA_NORMAL_TEXT:
        raise ValueError(
            N_(
                "%(colour)s against white has a contrast of %(found)s, below the %(minimum)s "
                "WCAG AA asks for text: choose a darker colour."
            ),
            {
                "colour": found,
                "found": contrast.shown(ratio),
                "minimum": contrast.shown(contrast.AA_NORMAL_TEXT),
            },
        )
    return found


def contact(value: str) -> str | None:
    """A web address, or an email address (as a mailto: link)."""
    cleaned = value.strip()
    if cleaned.lower().startswith("mailto:"):
        cleaned = cleaned[7:]
    if _EMAIL.fullmatch(cleaned):
        return f"mailto:{cleaned}"
    return website(cleaned)


def logo(value: str) -> str | None:
    """The path of a usable SVG or PNG logo on this host."""
    cleaned = value.strip()
    return logos.check(cleaned) if cleaned else None


def _plain(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """`check`, after refusing a value that holds a control character."""

    def checked(value: str) -> Any:
        if _CONTROL.search(value):
            raise ValueError(N_("Remove the control characters (such as NUL) from this value."))
        return check(value)

    return checked


CHECKS = {
    name: _plain(check)
    for name, check in {
        "service_name": text(60),
        "operator_name": text(120),
        "logo": logo,
        "primary_color": colour,
        "accent_color": colour,
        "contact_url": contact,
        "legal_url": website,
    }.items()
}


def clean(form: Mapping[str, Any]) -> dict[str, Any]:
    """The brand's values from a form or settings (empty ones None), or Problems per field."""
    given = {name: "" if form.get(name) is None else str(form.get(name)) for name in FIELDS}
    return clean_fields(given, CHECKS)


def merged(base: Brand, override: Mapping[str, Any] | None) -> Brand:
    """`base` with the values `override` sets (empty ones leave the base's)."""
    chosen = {k: v for k, v in (override or {}).items() if k in FIELDS and v}
    return dataclasses.replace(base, **chosen)


def deployment(config: Mapping[str, Any]) -> Brand:
    """The deployment's brand from TAPTRAIL_BRAND_FILE then TAPTRAIL_BRAND_*, or ConfigError
    naming the setting and what to do."""
    given: dict[str, Any] = {}
    where = {name: f"TAPTRAIL_BRAND_{name.upper()}" for name in FIELDS}
    path = config.get("BRAND_FILE")
    if path:
        given = _brand_file(Path(str(path)))
        where = {name: f"{name} in {path}" for name in given} | {
            name: where[name] for name in FIELDS if name not in given
        }
    for name in FIELDS:
        if config.get(f"BRAND_{name.upper()}") not in (None, ""):
            given[name] = config[f"BRAND_{name.upper()}"]
            where[name] = f"TAPTRAIL_BRAND_{name.upper()}"
    if not given.get("operator_name") and config.get("OPERATOR_NAME"):
        given["operator_name"] = config["OPERATOR_NAME"]  # the legal notice's operator
    try:
        return merged(DEFAULT, clean(given))
    except Problems as refused:
        first = refused.problems[0]
        raise ConfigError(f"{where[first.field or '']}: {first.message}") from None


def _brand_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(read_settings_file(path, "TAPTRAIL_BRAND_FILE"))
    except yaml.YAMLError:
        raise ConfigError(f"TAPTRAIL_BRAND_FILE: {path} is not a YAML file") from None
    if not isinstance(loaded, dict) or set(loaded) - set(FIELDS):
        raise ConfigError(
            f"TAPTRAIL_BRAND_FILE: {path} must be a mapping of {', '.join(FIELDS)} only"
        )
    if loaded.get("logo") and not Path(str(loaded["logo"])).is_absolute():
        loaded["logo"] = str(path.parent / str(loaded["logo"]))  # beside the brand file
    return loaded


def of_app(extensions: Mapping[str, Any]) -> Brand:
    """The deployment's brand create_app loaded (the default brand before it did)."""
    found = extensions.get("taptrail.brand")
    return found if isinstance(found, Brand) else DEFAULT


def for_territory(base: Brand, territory: Territory | None) -> Brand:
    """The brand on a territory's pages: the deployment's, with the territory's own values."""
    return merged(base, territory.brand if territory is not None else None)


def own(cleaned: Mapping[str, Any]) -> dict[str, Any] | None:
    """A territory's own values, as stored: those set, or None when it sets none."""
    return {name: value for name, value in cleaned.items() if value} or None


def set_territory(territory: Territory, form: Mapping[str, Any]) -> dict[str, Any]:
    """Store a territory's own brand values (empty: the deployment's), or Problems."""
    cleaned = clean(form)
    territory.brand = own(cleaned)
    return cleaned
