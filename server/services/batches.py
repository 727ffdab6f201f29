"""Batches of signed URLs for the field tool, their manifests, and sticker registration."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import clock
from server.errors import Conflict, Invalid, NotFound
from server.models import Batch, Counter, Place, Sticker, StickerStatus
from server.services import branding
from server.services.branding import DEFAULT as DEFAULT_BRAND
from server.services.branding import Brand
from server.services.sticker_life import retire
from tags import codes, ndef
from tags.chips import CHIPS, UnknownChipError, chip_by_name
from tags.keyring import Keyring, KeyState
from tags.ntag424 import keys as sun_keys
from tags.ntag424 import layout as sun_layout
from tags.urls import MirrorMode, UrlError, check_base, tap_url

MANIFEST_FORMAT = "taptrail-manifest/1"
MAX_BATCH = 1000
UID_HEX_CHARS = 14  # NTAG21x and NTAG 424 DNA: 7-byte UID
CHIP_NAMES = (*CHIPS, sun_layout.CHIP)


def allocate_tag_ids(session: Session, count: int) -> range:
    """Reserve `count` consecutive tag ids, atomically on both databases."""
    top = session.execute(
        update(Counter)
        .where(Counter.name == "tag_id")
        .values(value=Counter.value + count)
        .returning(Counter.value)
    ).scalar_one()
    return range(top - count + 1, top + 1)


def issue_batch(
    session: Session,
    ring: Keyring,
    *,
    place_slug: str,
    count: int,
    base_url: str,
    chip: str = "ntag213",
    mirror: str | None = None,
    password: bool = False,
    lock: bool = False,
    note: str | None = None,
) -> Batch:
    """Sign `count` new codes for a place; the stickers start as "planned"."""
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BATCH:
        raise Invalid(f"count must be a whole number from 1 to {MAX_BATCH}", field="count")
    place = find_place(session, place_slug)
    if chip.lower() == sun_layout.CHIP:
        return _issue_sun_batch(session, ring, place, count, base_url, mirror, password, lock, note)
    try:
        profile = chip_by_name(chip)
        mode = MirrorMode(mirror) if mirror is not None else None
        base = check_base(base_url)
    except UnknownChipError as error:
        raise Invalid(str(error), field="chip") from None
    except ValueError as error:
        field = "base_url" if isinstance(error, UrlError) else "mirror"
        known = ", ".join(m.value for m in MirrorMode)
        message = str(error) if field == "base_url" else f"mirror must be {known} or null"
        raise Invalid(message, field=field) from None
    ids = allocate_tag_ids(session, count)
    longest = tap_url(base, codes.issue(ring, ids[-1]), mode)
    try:
        ndef.check_capacity(longest, profile)
    except ndef.CapacityError as error:
        raise Invalid(str(error), field="chip") from None
    batch = Batch(
        place=place,
        chip=profile.key,
        base_url=base,
        mirror=mode.value if mode else None,
        password=bool(password),
        lock=bool(lock),
        note=note,
    )
    session.add(batch)
    for tag_id in ids:
        session.add(
            Sticker(id=tag_id, code=codes.issue(ring, tag_id), batch=batch, place_id=place.id)
        )
    session.flush()
    return batch


def _issue_sun_batch(
    session: Session,
    ring: Keyring,
    place: Place,
    count: int,
    base_url: str,
    mirror: str | None,
    password: bool,
    lock: bool,
    note: str | None,
) -> Batch:
    """An NTAG 424 DNA batch: SUN URLs; the chip's own keys replace mirror, password and lock."""
    for name, value in (("mirror", mirror), ("password", password), ("lock", lock)):
        if value:
            raise Invalid(
                f"{name} is for NTAG21x stickers; an NTAG 424 DNA proves its taps with SUN and "
                "its keys protect it: leave it out",
                field=name,
            )
    try:
        base = check_base(base_url)
    except UrlError as error:
        raise Invalid(str(error), field="base_url") from None
    ids = allocate_tag_ids(session, count)
    try:
        sun_layout.ndef_file(sun_layout.sun_url(base, codes.issue(ring, ids[-1])))
    except ndef.CapacityError as error:
        raise Invalid(str(error), field="chip") from None
    batch = Batch(place=place, chip=sun_layout.CHIP, base_url=base, note=note)
    session.add(batch)
    for tag_id in ids:
        session.add(
            Sticker(id=tag_id, code=codes.issue(ring, tag_id), batch=batch, place_id=place.id)
        )
    session.flush()
    return batch


def sun_keys_for(session: Session, ring: Keyring, *, code: str, uid: str) -> sun_keys.StickerKeys:
    """The five application keys of the NTAG 424 DNA `uid` that is to hold `code`.

    Only for a code of an NTAG 424 DNA batch, not on another chip yet, and a chip not holding
    another code: the keys of a sticker go to the field tool that writes it, and no further.
    """
    uid = normalize_uid(uid)
    sticker = issued_sticker(session, ring, code)
    canonical = sticker.code
    if sticker.batch is None or sticker.batch.chip != sun_layout.CHIP:
        raise Conflict(
            f"code {canonical} is for an NTAG21x sticker, which has no keys; issue an "
            "ntag424 batch for NTAG 424 DNA stickers",
            field="code",
        )
    if sticker.status is StickerStatus.RETIRED:
        raise Conflict(f"sticker {canonical} is retired; write a code from a current batch")
    if sticker.uid is not None and sticker.uid != uid:
        raise Conflict(
            f"code {canonical} is already on the chip {sticker.uid}; "
            "never write one code on two stickers: take the next code of the batch"
        )
    if sticker.uid is None:
        _refuse_second_code(session, uid, canonical)
    return chip_keys(ring, sticker, uid)


def chip_keys(
    ring: Keyring, sticker: Sticker, uid: str, *, revoked: bool = False
) -> sun_keys.StickerKeys:
    """The five keys of the NTAG 424 DNA `uid` personalised for `sticker` (an issued code, whose
    key issued_sticker checked is known, and not revoked unless `revoked`: resets only)."""
    key = ring.get(codes.split(sticker.code)[0])
    assert key is not None and (revoked or key.state is not KeyState.REVOKED)
    return sun_keys.sticker_keys(sun_keys.master_key(key.secret), bytes.fromhex(uid), key.kid)


def issued_sticker(
    session: Session, ring: Keyring, code: str, *, lock: bool = False, revoked: bool = False
) -> Sticker:
    """The sticker issued with `code` (locked for update if `lock`), else why not: refuse_code's
    errors for a code that is not ours, NotFound for one this database never issued.

    `revoked` accepts a code of a revoked key: for resets only (server.services.resets)."""
    try:
        tag_id = codes.verify(ring, code, revoked=revoked)
        canonical = codes.canonical(code)
    except codes.CodeError as error:
        refuse_code(code, error)
    sticker = session.get(Sticker, tag_id, with_for_update=lock)
    if sticker is None or sticker.code != canonical:
        raise NotFound(
            f"no sticker was issued with code {canonical}; issue a batch first", field="code"
        )
    return sticker


def release_sticker(session: Session, ring: Keyring, *, code: str) -> Sticker:
    """Give up a code that was begun on a sticker that never came back: it is retired.

    Whatever the half-written sticker holds (nothing, part of the URL, or all of it), its taps
    get the "retired" page, and no other sticker is ever written with that code. A code
    registered on a chip is a finished sticker, never released; releasing twice is harmless.
    """
    sticker = issued_sticker(session, ring, code, lock=True)
    canonical = sticker.code
    if sticker.uid is not None:
        raise Conflict(
            f"code {canonical} is registered on the chip {sticker.uid}: that sticker was "
            "finished; retire it in the portal if it is lost",
            field="code",
        )
    retire(sticker, clock.now())
    return sticker


def find_place(session: Session, slug: str) -> Place:
    """The place with this slug, or NotFound."""
    place = session.scalars(select(Place).where(Place.slug == slug)).first()
    if place is None:
        raise NotFound(f"there is no place {slug!r}; list places with GET /api/v1/places")
    return place


def find_batch(session: Session, batch_id: int) -> Batch:
    """The batch with this id, or NotFound."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"there is no batch {batch_id}; issue one with POST /api/v1/batches")
    return batch


def manifest(batch: Batch, brand: Brand = DEFAULT_BRAND) -> dict[str, Any]:
    """The manifest the field tool writes from (also exported to a file by administrators);
    its brand (the deployment's `brand`, with the place's territory's own values) is what the
    field tool prints on labels."""
    mode = MirrorMode(batch.mirror) if batch.mirror else None
    shown = branding.for_territory(brand, batch.place.territory)
    return {
        "format": MANIFEST_FORMAT,
        "batch": batch.id,
        "place": {"slug": batch.place.slug, "name": batch.place.name},
        "chip": batch.chip,
        "base_url": batch.base_url,
        "mirror": batch.mirror,
        "password": batch.password,
        "lock": batch.lock,
        "stickers": [
            {"tag_id": s.id, "code": s.code, "url": sticker_url(batch, s.code, mode)}
            for s in batch.stickers
        ],
        "brand": {"service_name": shown.service_name, "operator_name": shown.operator},
    }


def sticker_url(batch: Batch, code: str, mode: MirrorMode | None) -> str:
    """The URL written on a sticker of `batch`: a SUN URL on an NTAG 424 DNA."""
    if batch.chip == sun_layout.CHIP:
        return sun_layout.sun_url(batch.base_url, code)
    return tap_url(batch.base_url, code, mode)


def sticker_json(sticker: Sticker) -> dict[str, Any]:
    """A sticker's state, as the API shows it."""
    return {
        "tag_id": sticker.id,
        "code": sticker.code,
        "batch": sticker.batch_id,
        "place": sticker.place.slug,
        "status": sticker.status.value,
        "chip": sticker.chip,
        "uid": sticker.uid,
        "encoded_at": sticker.encoded_at.isoformat() if sticker.encoded_at else None,
    }


def normalize_uid(uid: str) -> str:
    """Upper-case hex without separators ("04:a1:..." -> "04A1..."), or Invalid."""
    cleaned = uid.replace(":", "").replace(" ", "").replace("-", "").upper()
    if len(cleaned) != UID_HEX_CHARS or any(c not in "0123456789ABCDEF" for c in cleaned):
        # Quoted cut short, as refuse_code does a code: an error never echoes a whole body back.
        raise Invalid(
            f"uid must be the chip's 7-byte UID as 14 hex digits, not {uid[:40]!r}", field="uid"
        )
    return cleaned


def register_sticker(
    session: Session,
    ring: Keyring,
    *,
    code: str,
    uid: str,
    chip: str,
    encoded_at: dt.datetime | None = None,
) -> tuple[Sticker, bool]:
    """Record that `code` was written on the chip `uid`; (sticker, True if newly registered).

    Registering the same code on the same chip again changes nothing. A code already on another
    chip, or a chip already holding another code, is refused.
    """
    uid = normalize_uid(uid)
    if chip.lower() not in CHIP_NAMES:
        known = ", ".join(CHIP_NAMES)
        raise Invalid(f"unknown chip {chip[:40]!r}; choose one of {known}", field="chip")
    sticker = issued_sticker(session, ring, code, lock=True)
    canonical = sticker.code
    if sticker.status is StickerStatus.RETIRED:
        raise Conflict(f"sticker {canonical} is retired; write a code from a current batch")
    if sticker.uid == uid:
        return sticker, False
    if sticker.uid is not None:
        raise Conflict(
            f"code {canonical} is already on the chip {sticker.uid}; "
            "never write one code on two stickers: take the next code of the batch"
        )
    _refuse_second_code(session, uid, canonical)
    sticker.uid, sticker.chip = uid, chip.lower()
    sticker.encoded_at = encoded_at or clock.now()
    if sticker.status is StickerStatus.PLANNED:
        sticker.status = StickerStatus.ENCODED
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # registered concurrently by another request
        raise Conflict(f"the chip {uid} was registered with another code meanwhile") from None
    return sticker, True


def refuse_code(code: str, error: codes.CodeError) -> NoReturn:
    """A code that is not one of ours: unreadable (422), or well formed but never issued here
    (404), or signed by a revoked key (409), as for any sticker that exists no more."""
    if error.reason is codes.Reason.MALFORMED:
        raise Invalid(f"the code is not valid ({error})", field="code") from None
    if error.reason is codes.Reason.REVOKED_KEY:
        raise Conflict(
            f"code {code[:40]!r} was signed by a revoked key; write a code from a current batch",
            field="code",
        ) from None
    raise NotFound(
        f"no sticker was issued with code {code[:40]!r} ({error.reason}); "
        "write a code from a batch of this server",
        field="code",
    ) from None


def _refuse_second_code(session: Session, uid: str, code: str) -> None:
    other = session.scalars(select(Sticker).where(Sticker.uid == uid)).first()
    if other is not None:
        raise Conflict(
            f"the chip {uid} already holds code {other.code} (tag {other.id}), not {code}; "
            "use a blank sticker, or retire the old one first"
        )
