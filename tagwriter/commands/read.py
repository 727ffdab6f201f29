"""`tagwriter read`: what a sticker holds and how it is set up, and what the server says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tagwriter.client import ServerError
from tagwriter.describe import describe
from tagwriter.link import TagLink, wait_for_sticker
from tagwriter.options import device_option, edge, make_client, reader, server_options


@click.command("read")
@device_option
@server_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
@click.option("--wait", type=float, help="Give up after this many seconds without a sticker.")
@click.option(
    "--virtual-key", is_flag=True, help="Accept the practice chip's key (implied on udp readers)."
)
@edge
def read(
    device: str,
    server: str | None,
    token: str | None,
    token_file: Path | None,
    as_json: bool,
    wait: float | None,
    virtual_key: bool,
) -> None:
    """Wait for a sticker and show its chip, URL, locks, password, mirror and signature."""
    client = make_client(server, token, token_file)
    with reader(device) as clf:
        target = wait_for_sticker(clf, timeout=wait)
        if target is None:
            raise click.ClickException(
                f"no sticker came within {wait:g} s: put one on the reader and run this again"
            )
        info = describe(TagLink(clf, target), virtual_key or device.startswith("udp"))
    if client is not None and info.get("url"):
        try:
            info["server"] = client.verdict(info["url"])
        except ServerError as error:
            info["server"] = {"error": str(error)}
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        for name, text in lines(info):
            click.echo(f"{name:<10} {text}")


def lines(info: dict[str, Any]) -> list[tuple[str, str]]:
    """The description as labelled lines for people."""
    rows = [("chip", f"{info['chip']}, UID {info['uid']}, {info['user_bytes']} bytes")]
    rows.append(("content", info["url"] or {"blank": "blank"}.get(info["content"], "unreadable")))
    if "locked" in info:
        locked, password = info["locked"], info["password"]
        rows.append(
            ("locked", f"yes, for good ({locked['pages']} pages)" if locked["pages"] else "no")
        )
        first = password["protected_from_page"]
        rows.append(
            (
                "password",
                "none"
                if first is None
                else f"protects from page {first:02X}h"
                + (" (reads too)" if password["reads_too"] else " (writes)"),
            )
        )
        mirror = info["mirror"]
        rows.append(
            (
                "mirror",
                "off"
                if mirror is None
                else f"{mirror['mode']} at page {mirror['page']:02X}h byte {mirror['byte']}",
            )
        )
        counter = info["counter"]
        rows.append(("counter", f"on, {counter['value']}" if counter["enabled"] else "off"))
    signature = info["signature"]
    rows.append(
        (
            "signature",
            f"valid ({signature['by']})"
            if signature["valid"]
            else "NOT valid: no original NXP chip (a clone?)",
        )
    )
    if "server" in info:
        rows.append(("server", _verdict(info["server"])))
    return rows


def _verdict(verdict: dict[str, Any]) -> str:
    if "error" in verdict:
        return str(verdict["error"])
    if not verdict.get("valid"):
        return f"not valid ({verdict.get('outcome')})"
    place, sticker = verdict["place"], verdict["sticker"]
    text = f"valid: {place['name']} ({place['slug']}), sticker {sticker['status']}"
    mirror = verdict.get("mirror") or {}
    if mirror.get("uid_matches") is not None:
        text += ", mirrored UID " + ("matches" if mirror["uid_matches"] else "DOES NOT match")
    return text
