"""A tap on a code spelled with Unicode lookalikes is refused as malformed, not folded."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import Outcome, StickerStatus
from tests.server.factories import PHONE, drained_taps, place, stickers, update_sticker


@pytest.mark.parametrize("lookalike", ["\u0131", "\uff11"], ids=["dotless-i", "fullwidth-1"])
def test_a_code_with_a_non_ascii_lookalike_is_a_malformed_tap(app, client, lookalike):
    place(app)
    entry = next(entry for entry in stickers(app, count=40) if "1" in entry["code"])
    update_sticker(
        app, entry["tag_id"], status=StickerStatus.INSTALLED, installed_at=dt.datetime.now(dt.UTC)
    )
    # The dotless i upper-cases to I, which a forgiving reader takes for 1: it must not pass.
    response = client.get(
        "/" + entry["code"].replace("1", lookalike), headers={"User-Agent": PHONE}
    )
    assert response.status_code == 404
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.MALFORMED and recorded.sticker_id is None
    ascii_spelling = entry["code"].replace("1", "i").lower()  # the forgiving rules still hold
    assert client.get("/" + ascii_spelling, headers={"User-Agent": PHONE}).status_code == 303
