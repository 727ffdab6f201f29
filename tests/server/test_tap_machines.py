"""People versus machines on the tap path, the NTAG mirror, and no address kept anywhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from server.db import database
from server.models import VisitorKind
from server.taps.classify import classify
from tests.server.factories import PHONE, drained_taps, installed_sticker

PREVIEWS = {
    "WhatsApp": "WhatsApp/2.23.20.0 A",
    "iMessage": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like "
    "Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
    "Slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "X/Twitter": "Twitterbot/1.0",
    "Telegram": "TelegramBot (like TwitterBot)",
    "Discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "LinkedIn": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://"
    "www.linkedin.com)",
    "Skype/Teams": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
}
IN_APP_BROWSERS = {
    "Instagram": "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv)"
    " AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram "
    "309.1.0.41.113 Android (33/13; 480dpi; 1080x2106; samsung; SM-S911B; dm1q; qcom;"
    " fr_FR; 541635863)",
    "Facebook app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebK"
    "it/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/"
    "17.1;FBLC/fr_FR]",
    "LinkedIn app": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebK"
    "it/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 LinkedInApp/9.29.7",
    "WhatsApp on Android": "Mozilla/5.0 (Linux; Android 11; moto g(30)) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 WhatsApp/2.23",
    "Snapchat": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/6"
    "05.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 Snapchat/12.60.0.52 (like Safari/8617.2.4.10.8, panda)",
}


@pytest.mark.parametrize("service", sorted(PREVIEWS))
def test_link_previews_are_recognised(service):
    seen = classify("GET", {"User-Agent": PREVIEWS[service]})
    assert not seen.human and seen.preview == service
    assert seen.reason == f"link preview: {service}"


@pytest.mark.parametrize("app_name", sorted(IN_APP_BROWSERS))
def test_in_app_browsers_are_people(app_name):
    assert classify("GET", {"User-Agent": IN_APP_BROWSERS[app_name]}).human


@pytest.mark.parametrize(
    ("method", "headers", "reason"),
    [
        ("HEAD", {}, "head"),
        ("GET", {"Sec-Purpose": "prefetch;prerender"}, "prefetch"),
        ("GET", {"Purpose": "prefetch"}, "prefetch"),
        (
            "GET",
            {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
            "crawler: Googlebot",
        ),
        ("GET", {"User-Agent": ""}, "no user agent"),
    ],
)
def test_machines_are_flagged_with_a_reason(method, headers, reason):
    seen = classify(
        method, {"User-Agent": PHONE, **headers} if "User-Agent" not in headers else headers
    )
    assert not seen.human and seen.reason == reason


def test_a_link_preview_gets_open_graph_tags_not_a_redirect(app, client):
    sticker = installed_sticker(app)
    path = sticker["url"].removeprefix("https://t.example.org")
    response = client.get(path, headers={"User-Agent": PREVIEWS["WhatsApp"]})
    assert response.status_code == 200
    assert '<meta property="og:title" content="La Piscine">' in response.text
    # The place page in the preview's own language (its html lang), as search engines index it.
    assert 'content="http://localhost/fr/p/la-piscine"' in response.text
    assert "Set-Cookie" not in response.headers  # machines get no cookie
    [recorded] = drained_taps(app)
    assert not recorded.human and recorded.reason == "link preview: WhatsApp"
    assert recorded.visitor_kind is VisitorKind.HASH


def test_head_requests_are_kept_but_flagged(app, client):
    sticker = installed_sticker(app)
    response = client.head(
        sticker["url"].removeprefix("https://t.example.org"), headers={"User-Agent": PHONE}
    )
    assert response.status_code == 303
    [recorded] = drained_taps(app)
    assert not recorded.human and recorded.reason == "head" and recorded.method == "HEAD"


def _mirrored(client, sticker, value):
    path = sticker["url"].removeprefix("https://t.example.org")
    return client.get(f"{path}?M={value}", headers={"User-Agent": PHONE})


def test_the_mirror_is_checked_against_the_registered_chip(app, client):
    sticker = installed_sticker(app, uid="04A1B2C3D4E5F6")
    for value in ("04A1B2C3D4E5F6x000010", "04A1B2C3D4E5F6x000011", "04FFFFFFFFFFFFx000012"):
        assert _mirrored(client, sticker, value).status_code == 303
    first, second, other_chip = drained_taps(app)
    assert (first.mirror_uid, first.mirror_counter, first.uid_matches) == (
        "04A1B2C3D4E5F6",
        16,
        True,
    )
    assert first.counter_advanced is None  # nothing to compare with yet
    assert second.counter_advanced is True and not second.suspected_copy
    assert other_chip.uid_matches is False and other_chip.suspected_copy


def test_a_counter_that_does_not_go_up_marks_a_suspected_copy(app, client):
    sticker = installed_sticker(app, uid="04A1B2C3D4E5F6")
    for value in ("04A1B2C3D4E5F6x000020", "04A1B2C3D4E5F6x000020", "04A1B2C3D4E5F6x00001F"):
        _mirrored(client, sticker, value)
    _, replayed, older = drained_taps(app)
    assert replayed.counter_advanced is False and replayed.suspected_copy
    assert older.counter_advanced is False


def test_the_placeholder_and_bad_mirror_values(app, client):
    sticker = installed_sticker(app)
    _mirrored(client, sticker, "00000000000000x000000")
    _mirrored(client, sticker, "NOT-HEX-AT-ALLx000001")
    placeholder, broken = drained_taps(app)
    assert placeholder.mirror_uid is None and placeholder.mirror_error is None
    assert broken.mirror_uid is None and "not hexadecimal" in broken.mirror_error


def test_no_address_is_stored_or_spooled(app, client, tmp_path):
    sticker = installed_sticker(app)
    address = "198.51.100.77"
    path = sticker["url"].removeprefix("https://t.example.org")
    client.get(path, headers={"User-Agent": PHONE}, environ_base={"REMOTE_ADDR": address})
    client.get(
        path, headers={"User-Agent": "Twitterbot/1.0"}, environ_base={"REMOTE_ADDR": address}
    )
    spooled = b"".join(p.read_bytes() for p in Path(app.config["SPOOL_DIR"]).glob("taps-*"))
    assert spooled.count(b'"id"') == 2 and address.encode() not in spooled
    taps = drained_taps(app)
    with database(app).sessions() as session:
        rows = session.execute(text("SELECT * FROM taps")).all()
    assert len(rows) == len(taps) == 2
    assert not any(address in str(value) for row in rows for value in row)


def test_the_hash_of_machines_changes_every_day():
    from server.taps.visitor import identify

    day = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    ids = [
        identify(None, human=False, address="192.0.2.1", agent="bot", secret="s", now=when).id
        for when in (day, day + dt.timedelta(hours=5), day + dt.timedelta(days=1))
    ]
    assert ids[0] == ids[1] != ids[2]
