"""Labels under the operator's name: the brand the server's manifest names, and its logo,
printed at the bottom of each label without cutting or covering anything."""

from __future__ import annotations

import itertools
import json

import pypdf
import pytest
from PIL import Image, ImageChops, ImageStat

from tagwriter.cli import main
from tagwriter.labels import TEMPLATES, Label, layout, qr_text
from tests.support.manifests import manifest, manifest_file
from tests.support.scanning import qr_codes

OPERATOR = "Métropole Européenne de Lille"
CODE = "10000Z97FGM5AD5EZAD"
LABEL = Label(CODE, qr_text(f"https://t.example.org/{CODE}"), "La Piscine")


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_the_operator_s_name_and_logo_sit_below_everything_and_the_code_still_scans(template):
    sheet = TEMPLATES[template]
    page = Image.new("L", sheet.page_pixels, 255)
    logo = Image.new("RGB", (200, 100), (20, 20, 20))
    box = sheet.box(0)
    placed = layout(page, LABEL, box, "fr", logo, OPERATOR)
    operator = [p for p in placed if p.role == "operator"]
    assert " ".join(p.text for p in operator) == OPERATOR  # wrapped maybe, never cut
    for line in placed:
        left, top, right, bottom = line.box
        assert box[0] <= left and right <= box[2] and box[1] <= top and bottom <= box[3], line
    others = [p.box for p in placed if p.role != "operator"]
    logo_top = min(p.box[1] for p in operator)
    assert max(b[3] for b in others) <= logo_top  # the rest of the label stays above
    assert all(a[3] <= b[1] for a, b in itertools.pairwise(p.box for p in operator))
    assert min(p.box[3] - p.box[1] for p in operator) >= 15  # pixels at 300 dpi: legible
    # The logo is printed between the code and the operator's name.
    code_bottom = max(p.box[3] for p in placed if p.role == "code")
    text_left = min(p.box[0] for p in operator)
    strip = page.crop((text_left, code_bottom, box[2], logo_top))
    assert ImageStat.Stat(strip).extrema[0][0] < 60  # something dark: the logo
    [found] = qr_codes(page.crop(box))
    assert found == LABEL.qr_text


def _first_label(pdf_path, template) -> Image.Image:  # type: ignore[no-untyped-def]
    [image] = pypdf.PdfReader(pdf_path).pages[0].images
    return image.image.convert("L").crop(template.box(0))


def _drawn(data, template, operator: str) -> Image.Image:  # type: ignore[no-untyped-def]
    """The first label of `data` as layout() draws it (each manifest() has codes of its own)."""
    entry = data["stickers"][0]
    label = Label(entry["code"], qr_text(entry["url"]), data["place"]["name"])
    page = Image.new("L", template.page_pixels, 255)
    layout(page, label, template.box(0), "fr", None, operator)
    return page.crop(template.box(0))


def _difference(first: Image.Image, second: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(first, second)).mean[0]


def test_the_sheet_prints_the_operator_the_server_s_manifest_names(runner, tmp_path):
    data = manifest(1) | {"brand": {"service_name": "Enjoy-MEL", "operator_name": OPERATOR}}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "labels"
    result = runner.invoke(main, ["labels", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    template = TEMPLATES["a4-3x8"]
    printed = _first_label(out / "sheets.pdf", template)
    with_name, without = _drawn(data, template, OPERATOR), _drawn(data, template, "")
    # The PDF's picture is compressed: the label drawn with the name is the one printed.
    assert _difference(printed, with_name) < _difference(printed, without) / 3
    # --operator "" leaves it out.
    result = runner.invoke(main, ["labels", str(path), "--out", str(out), "--operator", ""])
    printed = _first_label(out / "sheets.pdf", template)
    assert _difference(printed, without) < _difference(printed, with_name) / 3


def test_an_older_manifest_without_a_brand_prints_no_operator(runner, tmp_path):
    path = manifest_file(tmp_path, 1)
    data = json.loads(path.read_text())
    out = tmp_path / "labels"
    assert runner.invoke(main, ["labels", str(path), "--out", str(out)]).exit_code == 0
    template = TEMPLATES["a4-3x8"]
    printed = _first_label(out / "sheets.pdf", template)
    without, with_name = _drawn(data, template, ""), _drawn(data, template, OPERATOR)
    assert _difference(printed, without) < _difference(printed, with_name) / 3


def test_an_operator_s_name_that_cannot_be_printed_is_refused_saying_what_to_do(runner, tmp_path):
    path = manifest_file(tmp_path, 1)
    out = tmp_path / "labels"
    long = runner.invoke(
        main, ["labels", str(path), "--out", str(out), "--operator", "Lille " * 60]
    )
    assert long.exit_code != 0
    assert "give a shorter --operator" in long.output
    bell = runner.invoke(main, ["labels", str(path), "--out", str(out), "--operator", "MEL\x07"])
    assert bell.exit_code != 0 and "control character" in bell.output
    assert not (out / "sheets.pdf").exists()
