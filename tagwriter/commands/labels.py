"""`tagwriter labels`: QR codes of a batch's URLs as PNG, SVG and printable A4 sheets."""

from __future__ import annotations

from pathlib import Path

import click

from tagwriter.labels import Label, qr_text, write_png, write_sheets, write_svg
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
@edge
def labels(manifest: Path, out: Path) -> None:
    """PNG and SVG QR codes per URL of MANIFEST, and sheets.pdf: A4 pages of 24 labels."""
    batch = load_manifest(manifest)
    out.mkdir(parents=True, exist_ok=True)
    place = batch.manifest["place"].get("name") or batch.place
    items = [Label(e.code, qr_text(e.url), place) for e in batch.entries]
    for item in items:
        write_png(item.qr_text, out / f"{item.code}.png")
        write_svg(item.qr_text, out / f"{item.code}.svg")
    pages = write_sheets(items, out / "sheets.pdf")
    click.echo(
        f"{len(items)} QR codes in {out} (PNG and SVG), and {out / 'sheets.pdf'}: "
        f"{pages} A4 page(s) of labels"
    )
