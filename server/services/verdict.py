"""The server's verdict on a URL or code: valid? which place? what state is the sticker in?

An NTAG 424 DNA's URL carries a SUN message: the verdict checks it as a tap would (with the
keyring's keys) and says what it proves (UID, read counter) and whether a tap of it now would be
counted, without recording anything, so a verdict never spends a counter. "Now" is what the
database holds: taps still in a server's spool (a second or so) are not seen. A 424 sticker's
printed QR label (/Q/<code>) is valid, with the outcome its scans get: "qr scan".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from server.models import Outcome, Sticker, StickerStatus
from server.services.batches import sticker_json
from server.taps.sun import NO_SUN, SUN_CHIP, SunKeys, find_message
from tags import codes
from tags.keyring import Keyring
from tags.ntag424.layout import QR_LABEL_PREFIX
from tags.ntag424.sun import SunError
from tags.urls import MIRROR_PARAM, UrlError, parse_mirror


def split_url(text: str) -> tuple[str, str | None]:
    """The code and the mirrored value of a tap URL, or the text itself as a code."""
    if "/" not in text:
        return text.strip(), None
    parts = urlsplit(text.strip())
    query = parse_qs(parts.query)
    values = query.get(MIRROR_PARAM) or query.get(MIRROR_PARAM.lower())
    mirrored = values[0] if values else None
    return parts.path.rstrip("/").rsplit("/", 1)[-1], mirrored


def is_qr_label(text: str) -> bool:
    """Is this URL an NTAG 424 DNA's QR label (/Q/<code>, tags.ntag424.layout.qr_label_url)?"""
    folder = urlsplit(text.strip()).path.rstrip("/").rsplit("/", 2)
    return len(folder) == 3 and folder[1].upper() == QR_LABEL_PREFIX


def raw_query(text: str) -> str | None:
    """The query of a URL as written (a SUN MAC may cover it), None for a bare code."""
    return urlsplit(text.strip()).query if "/" in text else None


def verdict(session: Session, ring: Keyring, text: str) -> dict[str, Any]:
    """Check a URL or code the way a tap would, without recording anything."""
    code, mirrored = split_url(text)
    answer: dict[str, Any] = {
        "input": text,
        "valid": False,
        "outcome": None,
        "code": None,
        "tag_id": None,
        "sticker": None,
        "place": None,
        "mirror": None,
        "sun": None,
    }
    try:
        tag_id = codes.verify(ring, code)
    except codes.CodeError as error:
        answer["outcome"] = Outcome(error.reason.value).value
        return answer
    answer["code"], answer["tag_id"] = codes.canonical(code), tag_id
    sticker = session.get(Sticker, tag_id)
    if sticker is None:
        answer["outcome"] = Outcome.UNKNOWN_STICKER.value
        return answer
    retired = sticker.status is StickerStatus.RETIRED
    outcome = Outcome.RETIRED_STICKER if retired else Outcome.OK
    answer["sticker"] = sticker_json(sticker)
    answer["place"] = {"slug": sticker.place.slug, "name": sticker.place.name}
    query = raw_query(text)
    if query is not None and is_qr_label(text):
        outcome = outcome if retired else Outcome.QR_SCAN  # a printed label proves nothing
    elif query is not None:
        answer["sun"], sun_outcome = _sun(ring, answer["code"], query, sticker)
        outcome = outcome if sun_outcome is None or retired else sun_outcome
    if answer["sun"] is None:
        answer["mirror"] = _mirror(mirrored, sticker)
    answer["outcome"] = outcome.value
    answer["valid"] = outcome in (Outcome.OK, Outcome.QR_SCAN)
    return answer


def _sun(
    ring: Keyring, code: str, query: str, sticker: Sticker
) -> tuple[dict[str, Any] | None, Outcome | None]:
    """What the URL's SUN message proves, and the outcome a tap of it would have now.

    (None, None) for a URL without SUN parameters of a sticker that is no NTAG 424 DNA.
    """
    expected = sticker.expected_chip == SUN_CHIP  # as on the tap path
    try:
        message = find_message(query)
        if message is None:
            if not expected:
                return None, None
            raise SunError(NO_SUN)
        tap = SunKeys(ring).verify(codes.split(code)[0], message)
    except SunError as error:
        return {"verified": False, "error": str(error)}, Outcome.BAD_SUN
    uid = tap.uid.hex().upper() if tap.uid else None
    last = sticker.sun_counter
    found: dict[str, Any] = {
        "verified": True,
        "uid": uid,
        "counter": tap.counter,
        "uid_matches": None if sticker.uid is None else uid == sticker.uid,
        "last_accepted": last,
        "accepted_now": last is None or (tap.counter is not None and tap.counter > last),
        "file_data": tap.file_data.hex().upper() if tap.file_data is not None else None,
    }
    if found["uid_matches"] is False:
        found["error"] = "a genuine SUN message of another chip than this sticker's"
        return found, Outcome.BAD_SUN
    return found, Outcome.OK if found["accepted_now"] else Outcome.REPLAYED


def _mirror(value: str | None, sticker: Sticker) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        mirrored = parse_mirror(value)
    except UrlError as error:
        return {"error": str(error)}
    if mirrored is None:
        return None
    matches = None if not (mirrored.uid and sticker.uid) else mirrored.uid_hex == sticker.uid
    return {"uid": mirrored.uid_hex, "counter": mirrored.counter, "uid_matches": matches}
