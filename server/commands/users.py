"""taptrail users: the first administrator, and accounts when the portal cannot be used."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.commands import edge
from server.config import passwords
from server.db import database
from server.models import Role, Shop, User
from server.services import account_data, accounts, audit, branding


@click.group()
def users() -> None:
    """Portal accounts: create (the first administrator), list, set a password, export, erase."""


def _prompt_password() -> str:
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("create")
@click.option("--email", required=True, help="The account's email address (its sign-in).")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="What it may do.",
)
@click.option("--name", default=None, help="A name to greet the person with.")
@click.option("--shop", "shops", multiple=True, help="A shop's slug it keeps (shop owners).")
@with_appcontext
@edge
def users_create(email: str, role: str, name: str | None, shops: tuple[str, ...]) -> None:
    """Create an account with a password typed twice (read from standard input if piped)."""
    password = _prompt_password()
    with database().transaction() as session:
        user = accounts.create_user(session, email, Role(role), name=name)
        accounts.set_password(user, password, clock.now(), passwords=passwords())
        for slug in shops:
            shop = session.scalars(select(Shop).where(Shop.slug == slug)).first()
            if shop is None:
                raise click.ClickException(f"there is no shop {slug!r}; nothing was created")
            accounts.give_shop(session, user, shop.id)
        audit.record(session, None, "account.create", ("user", user.id), f"{user.email} ({role})")
        email = user.email
    click.echo(f"created {email} ({role}); sign in at /portal/login")


@users.command("list")
@with_appcontext
@edge
def users_list() -> None:
    """Show accounts: id, email, role, state, shops (never a password or its hash)."""
    with database().transaction() as session:
        for user in session.scalars(select(User).order_by(User.id)):
            state = "locked" if not user.active else "active" if user.password_hash else "invited"
            shops = ",".join(shop.slug for shop in user.shops)
            click.echo(f"{user.id}  {user.email}  {user.role.value}  {state}  {shops}".rstrip())


@users.command("password")
@click.argument("email")
@with_appcontext
@edge
def users_password(email: str) -> None:
    """Set EMAIL's password (typed twice); its sessions end and it is unlocked."""
    password = _prompt_password()
    with database().transaction() as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"there is no account {email}; 'taptrail users list'")
        accounts.set_password(user, password, clock.now(), passwords=passwords())
        user.active = True
        audit.record(session, None, "account.password", ("user", user.id), "password set (CLI)")
    click.echo(f"the password of {email} is set; its other sessions have ended")


def _account(session: Session, email: str) -> User:
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"there is no account {email}; 'taptrail users list'")
    return user


@users.command("export")
@click.argument("email")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@edge
def users_export(email: str, out: Path) -> None:
    """Write everything held about EMAIL's account and shops to the zip OUT (a new file)."""
    if out.exists():
        raise click.ClickException(f"{out} exists already; name a new file")
    with database().transaction() as session:
        user = _account(session, email)
        brand = branding.of_app(current_app.extensions)
        data = account_data.export(
            session, user, current_app.config["MEDIA_DIR"], clock.now(), brand.service_name
        )
        audit.record(session, None, "account.export", ("user", user.id), "data exported (CLI)")
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")


@users.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask to confirm (scripts).")
@with_appcontext
@edge
def users_erase(email: str, yes: bool) -> None:
    """Erase EMAIL's account: the person replaced by a pseudonym, the audit log kept."""
    if not yes:
        click.confirm(f"Erase {email} for good?", abort=True)
    with database().transaction() as session:
        name = account_data.erase(session, _account(session, email), None)
    click.echo(f"erased {email}: it is now {name} in the audit log")
