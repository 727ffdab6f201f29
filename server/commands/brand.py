"""taptrail brand: show the brand pages carry, and set or clear a territory's own."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.commands import edge
from server.db import database
from server.errors import Problems
from server.models import Territory
from server.services import audit, branding, territory_editing


@click.group()
def brand() -> None:
    """The service's brand: the deployment's (TAPTRAIL_BRAND_*) and each territory's own."""


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


@brand.command("show")
@click.option("--territory", "slug", help="A territory's slug: its brand, with its own values.")
@with_appcontext
@edge
def brand_show(slug: str | None) -> None:
    """Print the brand, one value a line; a territory's own values are marked."""
    base = branding.of_app(current_app.extensions)
    own: dict[str, str] = {}
    with database().transaction() as session:
        if slug:
            territory = _territory(session, slug)
            own = dict(territory.brand or {})
            base = branding.for_territory(base, territory)
    for name, value in base.values().items():
        mark = " (this territory's own)" if name in own else ""
        click.echo(f"{name}: {value if value is not None else '-'}{mark}")


@brand.command("set")
@click.option("--territory", "slug", required=True, help="The territory's slug.")
@click.option("--service-name", help='The service\'s name visitors read, e.g. "Enjoy-MEL".')
@click.option("--operator-name", help="Who offers the service (a metropolis, a town...).")
@click.option("--logo", help="An SVG or PNG file on this server.")
@click.option("--primary-color", help="Links and buttons, e.g. #0b57d0 (white text on it).")
@click.option("--accent-color", help="Numbered marks, e.g. #b3261e (white text on it).")
@click.option("--contact-url", help="A web page or an email address for visitors' questions.")
@click.option("--legal-url", help="The operator's legal notice.")
@click.option(
    "--clear",
    "cleared",
    multiple=True,
    type=click.Choice(branding.FIELDS),
    help="Go back to the deployment's value for this field (repeatable).",
)
@with_appcontext
@edge
def brand_set(slug: str, cleared: tuple[str, ...], **given: str | None) -> None:
    """Set a territory's own brand values; the others stay as they are."""
    with database().transaction() as session:
        territory = _territory(session, slug)
        form = {k: v for k, v in (territory.brand or {}).items() if k not in cleared}
        form.update({k: v for k, v in given.items() if v is not None})
        before = _own(territory)
        try:
            branding.set_territory(territory, form)
        except Problems as refused:
            said = " ".join(f"{_option(p.field or '')}: {p.message}" for p in refused.problems)
            raise click.ClickException(f"{said} Nothing was changed.") from None
        changes = audit.diff(before, _own(territory))
        names = ", ".join(name.removeprefix(territory_editing.BRAND_PREFIX) for name in changes)
        summary = f"brand of {territory.name}: {names or 'no change'}"
        audit.record(
            session, None, "territory.brand", ("territory", territory.id), summary, changes
        )
    click.echo(summary)


def _own(territory: Territory) -> dict[str, Any]:
    return territory_editing.audited({"brand": territory.brand})


def _territory(session: Session, slug: str) -> Territory:
    found = session.scalars(select(Territory).where(Territory.slug == slug)).first()
    if found is None:
        raise click.ClickException(
            f"there is no territory {slug!r}: the portal's Territories page lists their slugs"
        )
    return found
