"""An NTAG 424 DNA sticker's printed QR label: it cannot carry a SUN message, so it points at
/Q/<code>; a scan takes the visitor to the place page and is counted apart as a QR scan, never
as a verified tap nor as a tap without its SUN message."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

from click.testing import CliRunner
from PIL import Image

from server.db import database
from server.models import Outcome, Sticker
from server.services.rollups.refresh import refresh
from server.services.stats import Scope, sticker_health, stickers
from tags.ntag424.layout import sun_url
from tagwriter.cli import main
from tests.server.factories import PHONE, drained_taps, token
from tests.server.test_tap_sun import UID, sun_query, sun_sticker, tap
from tests.support.scanning import qr_codes

BASE = "https://t.example.org"


def label_text(sticker: dict, folder) -> str:
    """The text of the QR code `tagwriter labels` prints for this sticker of a 424 batch."""
    manifest = {
        "format": "taptrail-manifest/1",
        "batch": 1,
        "place": {"slug": "la-piscine", "name": "La Piscine"},
        "chip": "ntag424",
        "base_url": BASE,
        "mirror": None,
        "password": False,
        "lock": False,
        "stickers": [
            {
                "tag_id": sticker["tag_id"],
                "code": sticker["code"],
                "url": sun_url(BASE, sticker["code"]),
            }
        ],
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest))
    out = folder / "labels"
    result = CliRunner().invoke(main, ["labels", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [found] = qr_codes(Image.open(out / f"{sticker['code']}.png"))
    return found


def figures(app, tag_id):
    refresh(database(app))
    with database(app).sessions() as session:
        territory = session.get(Sticker, tag_id).place.territory_id
        today = dt.datetime.now(dt.UTC).date()
        scope = Scope(territory, today - dt.timedelta(days=1), today + dt.timedelta(days=1))
        rows = stickers(session, scope)
        now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        health = sticker_health(session, territory, now, copies_since=today)
    return rows, health


def test_a_scanned_label_leads_to_the_place_and_is_counted_apart_never_as_bad_sun(
    app, client, tmp_path
):
    sticker = sun_sticker(app)
    text = label_text(sticker, tmp_path)
    assert text == f"HTTPS://T.EXAMPLE.ORG/Q/{sticker['code']}"  # QR alphanumeric mode
    # The phone follows the label: the visitor gets the place page.
    path = urlsplit(text).path
    answer = client.get(path, headers={"User-Agent": PHONE})
    assert answer.status_code == 303 and answer.headers["Location"] == "/fr/p/la-piscine"
    typed = client.get(path.lower())
    assert typed.status_code == 303  # typed from the label in small letters: the same
    # A tap of the sticker itself, with its SUN message, is the one verified tap.
    assert tap(client, sticker, sun_query(app, sticker["code"], UID, 5)).status_code == 303
    taps = drained_taps(app)
    assert [t.outcome for t in taps] == [Outcome.QR_SCAN, Outcome.QR_SCAN, Outcome.OK]
    rows, health = figures(app, sticker["tag_id"])
    [row] = rows
    assert (row.person, row.suspected, row.qr_scans) == (1, 0, 2)
    assert health == []  # no "replayed" problem: a label's scan is no bad SUN message


def test_the_verdict_on_a_label_says_it_is_a_qr_scan(app, client, tmp_path):
    sticker = sun_sticker(app)
    text = label_text(sticker, tmp_path)
    headers = {"Authorization": f"Bearer {token(app, 'encode')}"}
    verdict = client.get("/api/v1/verdict", query_string={"url": text}, headers=headers).json
    assert verdict["valid"] and verdict["outcome"] == "qr scan" and verdict["sun"] is None
    assert verdict["place"]["slug"] == "la-piscine"
