"""The page writes that turn what a sticker holds into what the job asks, safe to cut anywhere.

The order, and why:

1. A capability container, only on a chip that was never formatted.
2. The NDEF message while its TLV length still reads 0, so that a phone sees an empty sticker
   until the message is complete: on a blank sticker the length is already 0 and the body goes
   first; on a sticker holding something else the length is zeroed first.
3. The page holding the TLV length, last of the message: one atomic page write makes the whole
   URL appear at once. A sticker pulled away before it is still blank; after it, it holds the
   full URL and only the configuration is missing, which the next attempt adds.
4. PWD and PACK before AUTH0, so the protection never starts with the factory password.
5. CFG0 (mirror and AUTH0), then CFG1 (the NFC counter, and CFGLCK when locking): the chip
   applies both at its next power-up, so their order only matters if the sticker is pulled.
6. Locking last: the capability container's write-access bits, then the static and dynamic lock
   bits; nothing can be written after them.

Pages that already hold the right bytes are not written again, so resuming a sticker that was
pulled away (or whose tagwriter was killed) writes only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import CC_PAGE, FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.locks import (
    STATIC_LOCK_BYTES,
    STATIC_LOCK_PAGE,
    every_dynamic_lock_bit,
    merge_dynamic_lock,
    merge_static_lock,
)
from tags.mirror import mirror_position
from tags.ndef import encode_user_memory
from tags.urls import MirrorMode
from tagwriter.memory import NO_PROTECTION, Snapshot

# AUTH0 of a protected sticker: from the capability container on, so the one-time-programmable
# CC cannot be spoilt either (what nfcpy's protect() does by default).
PROTECT_FROM = CC_PAGE
CC_WRITE_PROPRIETARY = 0x08  # CC write access "proprietary": a password is needed
CC_WRITE_NONE = 0x0F  # CC write access "none": read-only for good


@dataclass(frozen=True)
class Job:
    """What a sticker must hold: the URL and how the chip is set up around it."""

    url: str
    mirror: MirrorMode | None = None
    password: bytes | None = None  # 6 bytes, PWD then PACK, the format of nfcpy's protect()
    lock: bool = False


@dataclass(frozen=True)
class Step:
    """One WRITE, and what READ shows of that page afterwards (None: PWD and PACK read as 0)."""

    page: int
    data: bytes
    expect: bytes | None
    why: str


@dataclass(frozen=True)
class Layout:
    """The URL laid out from page 4, and the pages that hold the NDEF TLV's length."""

    pages: dict[int, bytes]
    length_pages: list[int]
    hidden: dict[int, bytes]  # the first pages with the length set to 0


def layout(url: str, profile: ChipProfile) -> Layout:
    """Lay `url` out on `profile` in the factory layout (CapacityError if it does not fit)."""
    image = encode_user_memory(url, profile)
    tlv = len(profile.factory_tlvs)
    # 03 LL for a message under 255 bytes, 03 FF HH LL otherwise.
    long_form = image[tlv + 1] == 0xFF
    length_bytes = range(tlv + 1, tlv + (4 if long_form else 2))
    length_pages = sorted({FIRST_USER_PAGE + i // PAGE_SIZE for i in length_bytes})
    zeroed = bytearray(image)
    for index in length_bytes:
        zeroed[index] = 0
    pages = _pages(image)
    hidden = {p: data for p, data in _pages(bytes(zeroed)).items() if p <= length_pages[-1]}
    return Layout(pages, length_pages, hidden)


def _pages(image: bytes) -> dict[int, bytes]:
    return {
        FIRST_USER_PAGE + i: image[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]
        for i in range(len(image) // PAGE_SIZE)
    }


def plan(job: Job, snapshot: Snapshot, authenticated: bool = False) -> list[Step]:
    """The writes, in order, that bring `snapshot` to `job`; `authenticated`: with job.password."""
    steps = _format(snapshot) + _message(job, snapshot)
    steps += _password(job, snapshot, authenticated) + _config(job, snapshot)
    return steps + (_lock(snapshot) if job.lock else [])


def _stored(snapshot: Snapshot, page: int) -> bytes | None:
    """What the page holds, if this read shows it (not behind the mirror, and read at all)."""
    if page in snapshot.mirrored_pages or page not in snapshot.pages:
        return None
    return snapshot.page(page)


def _format(snapshot: Snapshot) -> list[Step]:
    if snapshot.cc != bytes(PAGE_SIZE):
        return []
    cc = snapshot.profile.capability_container
    return [Step(CC_PAGE, cc, cc, "capability container (unformatted chip)")]


def _message(job: Job, snapshot: Snapshot) -> list[Step]:
    target = layout(job.url, snapshot.profile)
    current = {page: _stored(snapshot, page) for page in target.pages}
    if _mirror_stays(job, snapshot):
        # Under a mirror that stays where it is, what is stored never shows: leave it.
        current.update({p: target.pages[p] for p in snapshot.mirrored_pages if p in current})
    if all(current[page] in (None, data) for page, data in target.pages.items()):
        # Only pages behind the mirror are unknown: the message itself is ours already.
        return [
            Step(page, data, data, "NDEF message under the mirror")
            for page, data in target.pages.items()
            if current[page] is None
        ]
    steps = []
    if not _empty_message_here(snapshot, target):
        for page, data in target.hidden.items():
            if current[page] != data:
                steps.append(Step(page, data, data, "hide the old message (length 0)"))
                current[page] = data
    for page, data in target.pages.items():
        if page not in target.length_pages and current[page] != data:
            steps.append(Step(page, data, data, "NDEF message"))
    for page in target.length_pages:
        if current[page] != target.pages[page]:
            data = target.pages[page]
            steps.append(Step(page, data, data, "NDEF length: the URL appears"))
    return steps


def _mirror_stays(job: Job, snapshot: Snapshot) -> bool:
    """True if the job's mirror is where the chip mirrors now."""
    if job.mirror is None:
        return False
    now, wanted = snapshot.config, desired_config(job, snapshot)
    return (now.mirror_conf, now.mirror_page, now.mirror_byte) == (
        wanted.mirror_conf,
        wanted.mirror_page,
        wanted.mirror_byte,
    )


def _empty_message_here(snapshot: Snapshot, target: Layout) -> bool:
    """True if the sticker shows an empty NDEF TLV where ours goes (blank, or our cut write)."""
    unknown = b"\xff" * PAGE_SIZE
    stored = b"".join(_stored(snapshot, page) or unknown for page in target.hidden)
    hidden = b"".join(target.hidden.values())
    # The factory TLVs, then 03 00: the NDEF TLV with a zero length, whatever follows.
    end = len(snapshot.profile.factory_tlvs) + 2
    return stored[:end] == hidden[:end]


def _password(job: Job, snapshot: Snapshot, authenticated: bool) -> list[Step]:
    if job.password is None:
        return []
    profile, steps = snapshot.profile, []
    if not authenticated:  # after PWD_AUTH with this very password, PWD and PACK hold it
        steps.append(Step(profile.pwd_page, job.password[:4], None, "PWD"))
        steps.append(Step(profile.pack_page, job.password[4:6] + bytes(2), None, "PACK"))
    cc = snapshot.cc
    if cc[3] & 0x0F == 0 and not job.lock:
        flagged = cc[:3] + bytes([cc[3] | CC_WRITE_PROPRIETARY])
        steps.append(Step(CC_PAGE, flagged, flagged, "CC: write access needs the password"))
    return steps


def desired_config(job: Job, snapshot: Snapshot) -> ChipConfig:
    """CFG0/CFG1 as the job wants them, keeping what it does not care about."""
    config = snapshot.config
    if job.mirror is not None:
        config = mirror_position(job.url, snapshot.profile, job.mirror).apply(config)
    else:
        config = replace(config, mirror_conf=MirrorConf.OFF, mirror_page=0, mirror_byte=0)
    config = replace(config, auth0=PROTECT_FROM if job.password else NO_PROTECTION)
    return replace(config, cfglck=True) if job.lock else config


def _config(job: Job, snapshot: Snapshot) -> list[Step]:
    profile, wanted = snapshot.profile, desired_config(job, snapshot)
    steps = []
    for page, data, why in (
        (profile.cfg0_page, wanted.cfg0(), "CFG0: mirror and AUTH0"),
        (profile.cfg1_page, wanted.cfg1(), "CFG1: counter and CFGLCK"),
    ):
        if snapshot.page(page) != data:
            steps.append(Step(page, data, data, why))
    return steps


def _lock(snapshot: Snapshot) -> list[Step]:
    profile, steps = snapshot.profile, []
    cc = snapshot.cc
    if cc[3] & 0x0F != CC_WRITE_NONE:
        read_only = cc[:3] + bytes([cc[3] | CC_WRITE_NONE])
        steps.append(Step(CC_PAGE, read_only, read_only, "CC: read-only"))
    static = snapshot.page(STATIC_LOCK_PAGE)
    merged = static[:2] + merge_static_lock(static[STATIC_LOCK_BYTES], b"\xff\xff")
    if merged != static:
        steps.append(Step(STATIC_LOCK_PAGE, b"\x00\x00\xff\xff", merged, "static lock bits"))
    dynamic = snapshot.page(profile.dynamic_lock_page)
    wanted = every_dynamic_lock_bit(profile) + b"\x00"  # byte 3 is RFUI: write it as 0
    merged = merge_dynamic_lock(dynamic, wanted) + dynamic[3:4]
    if merged != dynamic:
        steps.append(Step(profile.dynamic_lock_page, wanted, merged, "dynamic lock bits"))
    return steps
