"""NTAG 424 DNA stickers taken back to the factory by the field tool (`tagwriter reset`).

The tool reads the code from the sticker's URL, asks for that chip's keys here (the sticker may
be retired already: taken down, to be used again), resets the chip, then says so. The code is
then spent, as for any retired sticker (its printed labels get the "retired" page), and the chip
is unbound from it, so it can be registered again with a new code.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import Conflict, NotFound
from server.models import Sticker
from server.services.batches import normalize_uid, refuse_code
from server.services.sticker_life import retire
from tags import codes
from tags.keyring import Keyring, KeyState
from tags.ntag424 import keys as sun_keys
from tags.ntag424 import layout as sun_layout


def _sticker(session: Session, ring: Keyring, code: str, uid: str, lock: bool) -> Sticker:
    """The 424 sticker of `code` if the chip `uid` may be the one holding it, else an error."""
    try:
        tag_id = codes.verify(ring, code)
        canonical = codes.canonical(code)
    except codes.CodeError as error:
        refuse_code(code, error)
    sticker = session.get(Sticker, tag_id, with_for_update=lock)
    if sticker is None or sticker.code != canonical:
        raise NotFound(f"no sticker was issued with code {canonical}", field="code")
    if sticker.batch is None or sticker.batch.chip != sun_layout.CHIP:
        raise Conflict(
            f"code {canonical} is for an NTAG21x sticker, which has no keys to reset; "
            "rewrite it with 'tagwriter write --rewrite'",
            field="code",
        )
    if sticker.uid is not None and sticker.uid != uid:
        raise Conflict(
            f"code {canonical} is registered on the chip {sticker.uid}, not {uid}: this chip "
            "holds a copy of its URL, and its keys are not this code's",
            field="uid",
        )
    if sticker.uid is None:
        other = session.scalars(select(Sticker).where(Sticker.uid == uid)).first()
        if other is not None:
            raise Conflict(
                f"the chip {uid} is registered with code {other.code}, not {canonical}: "
                f"reset it with that code's keys",
                field="uid",
            )
    return sticker


def reset_keys(session: Session, ring: Keyring, *, code: str, uid: str) -> sun_keys.StickerKeys:
    """The five keys the chip `uid` holding `code` was personalised with, to reset it."""
    uid = normalize_uid(uid)
    sticker = _sticker(session, ring, code, uid, lock=False)
    key = ring.get(codes.split(sticker.code)[0])
    assert key is not None and key.state is not KeyState.REVOKED  # codes.verify checked it
    return sun_keys.sticker_keys(sun_keys.master_key(key.secret), bytes.fromhex(uid), key.kid)


def record_reset(session: Session, ring: Keyring, *, code: str, uid: str) -> Sticker:
    """The chip `uid` no longer holds `code`: the code is retired and the chip unbound.

    Saying it twice is harmless.
    """
    uid = normalize_uid(uid)
    sticker = _sticker(session, ring, code, uid, lock=True)
    retire(sticker, clock.now())
    sticker.uid = None
    return sticker
