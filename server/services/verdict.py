"""The server's verdict on a URL or code: valid? which place? what state is the sticker in?"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from server.models import Outcome, Sticker, StickerStatus
from server.services.batches import sticker_json
from tags import codes
from tags.keyring import Keyring
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
    answer["outcome"] = (Outcome.RETIRED_STICKER if retired else Outcome.OK).value
    answer["valid"] = not retired
    answer["sticker"] = sticker_json(sticker)
    answer["place"] = {"slug": sticker.place.slug, "name": sticker.place.name}
    answer["mirror"] = _mirror(mirrored, sticker)
    return answer


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
