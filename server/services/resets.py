"""NTAG 424 DNA stickers taken back to the factory by the field tool (`tagwriter reset`).

The tool reads the code from the sticker's URL, asks for that chip's keys here (the sticker may
be retired already: taken down, to be used again), resets the chip, then says so. The code is
then spent, as for any retired sticker (its printed labels get the "retired" page), and the chip
is unbound from it, so it can be registered again with a new code.

A sticker whose key was revoked is reset like any other (a revoked key refuses taps, not the
taking back of its stickers); one whose key is no longer in the keyring at all gets a 409
saying to restore the keyring copy that holds it (`taptrail keys restore`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import Conflict
from server.models import Sticker
from server.services.batches import chip_keys, issued_sticker, normalize_uid, refuse_code
from server.services.sticker_life import retire
from tags import codes, crockford
from tags.keyring import Keyring
from tags.ntag424 import keys as sun_keys
from tags.ntag424 import layout as sun_layout


def _sticker(session: Session, ring: Keyring, code: str, uid: str, lock: bool) -> Sticker:
    """The 424 sticker of `code` if the chip `uid` may be the one holding it, else an error.

    A code of a revoked key is accepted: its taps are refused, but its stickers must still be
    taken back (revoking a key is when they are). A key gone from the keyring is a keyring to
    restore, not a code to refuse: nothing else can ever open those chips.
    """
    try:
        kid = codes.split(code)[0]
    except codes.CodeError as error:
        refuse_code(code, error)
    if ring.get(kid) is None:
        name = crockford.encode(kid, 1)
        raise Conflict(
            f"code {code[:40]!r} was signed by key {name}, which is not in this server's "
            f"keyring: the chips keyed with it cannot be reset without it; restore a keyring "
            f"copy that holds key {name} with 'taptrail keys restore COPY' and restart the "
            "server, then reset again",
            field="code",
        )
    sticker = issued_sticker(session, ring, code, lock=lock, revoked=True)
    canonical = sticker.code
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
    return chip_keys(ring, _sticker(session, ring, code, uid, lock=False), uid, revoked=True)


def record_reset(session: Session, ring: Keyring, *, code: str, uid: str) -> Sticker:
    """The chip `uid` no longer holds `code`: the code is retired and the chip unbound.

    Saying it twice is harmless.
    """
    uid = normalize_uid(uid)
    sticker = _sticker(session, ring, code, uid, lock=True)
    retire(sticker, clock.now())
    sticker.uid = None
    return sticker
