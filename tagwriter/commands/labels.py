"""`tagwriter labels`: QR codes of a batch's URLs as PNG, SVG and printable A4 sheets."""

from __future__ import annotations

from pathlib import Path

import click

from tags.ntag424.layout import qr_label_url
from tagwriter.errors import TagwriterError
from tagwriter.labels import (
    DEFAULT_TEMPLATE,
    LANGUAGES,
    TEMPLATES,
    Label,
    qr_text,
    read_logo,
    write_png,
    write_sheets,
    write_svg,
)
from tagwriter.manifest import load_manifest
from tagwriter.options import edge


@click.command("labels")
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("labels"),
    show_default=True,
    help="Folder for the files.",
)
@click.option(
    "--template",
    type=click.Choice(sorted(TEMPLATES)),
    default=DEFAULT_TEMPLATE,
    show_default=True,
    help="The sticker sheet: "
    + "; ".join(f"{t.name}: {t.about}" for t in TEMPLATES.values())
    + ".",
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="fr",
    show_default=True,
    help="The territory's language, for what the label asks a passer-by to do.",
)
@click.option(
    "--logo",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The operator's logo (PNG, JPEG) printed small at the bottom of each label.",
)
@click.option(
    "--operator",
    help="Whose service it is, printed at the bottom of each label (default: the operator the "
    'manifest names; "" for none).',
)
@edge
def labels(
    manifest: Path,
    out: Path,
    template: str,
    language: str,
    logo: Path | None,
    operator: str | None,
) -> None:
    """PNG and SVG QR codes per URL of MANIFEST, and sheets.pdf: labels to print on a sticker
    sheet, each with what to do, the place's name, the short URL and the code."""
    if operator and any(ord(c) < 32 or ord(c) == 127 for c in operator):
        raise TagwriterError("--operator holds a control character: give the name as plain text")
    batch = load_manifest(manifest)
    picture = read_logo(logo) if logo else None  # refused before anything is written
    out.mkdir(parents=True, exist_ok=True)
    place = batch.manifest["place"].get("name") or batch.place
    # An NTAG 424 DNA's label cannot carry its SUN message: it points at /Q/<code>, counted as
    # a QR scan, never as a tap that lacks its SUN message.
    urls = [qr_label_url(e.url) if batch.sun else e.url for e in batch.entries]
    items = [Label(e.code, qr_text(url), place) for e, url in zip(batch.entries, urls, strict=True)]
    for item in items:
        write_png(item.qr_text, out / f"{item.code}.png")
        write_svg(item.qr_text, out / f"{item.code}.svg")
    sheet = TEMPLATES[template]
    if operator is None:  # the server's manifest names the brand; an older one does not
        operator = str((batch.manifest.get("brand") or {}).get("operator_name") or "")
    pages = write_sheets(items, out / "sheets.pdf", sheet, language, picture, operator.strip())
    paper = "A4 " if sheet.page == (210, 297) else ""
    click.echo(
        f"{len(items)} QR codes in {out} (PNG and SVG), and {out / 'sheets.pdf'}: "
        f"{pages} {paper}page(s) of labels ({sheet.about})"
    )
