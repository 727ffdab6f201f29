"""Put a job on the sticker in the field, read it back and compare byte for byte.

Per sticker: one read of what it holds (the pages the URL needs and the configuration), the
writes that differ, and one verifying read at the very end, after any mirror, password and lock
configuration, so that a tool watching for it (and the practice reader) knows the sticker is
finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from tags.chips import PAGE_SIZE, ChipProfile
from tags.mirror import mirror_position
from tags.ndef import CapacityError, NdefFormatError, check_capacity
from tags.urls import MirrorMode, UrlError, parse_mirror
from tagwriter.errors import StickerRefused, VerifyError
from tagwriter.link import Nak, NoAnswer, TagLink
from tagwriter.memory import Snapshot, read_snapshot
from tagwriter.password import HOW
from tagwriter.plan import Job, Step, layout, plan

ATTEMPTS = 5  # after a lost frame or an EEPROM error; each attempt keeps what was written
TAKE_ANOTHER = "take another sticker"

Accept = Callable[[Snapshot], None]


@dataclass(frozen=True)
class Written:
    """A sticker that holds its job, as verified by the last read."""

    uid: bytes
    profile: ChipProfile
    url: str
    writes: int


def without_mirror(url: str) -> str:
    """The URL without its query, where the mirror goes: what identifies one of our stickers."""
    return url.split("?", 1)[0]


def refuse_other_content(snapshot: Snapshot, url: str, rewrite: bool) -> None:
    """Refuse a sticker that holds anything but `url` (or nothing), unless `rewrite`."""
    try:
        current = snapshot.url()
    except NdefFormatError:
        current = "data that is not a URL"
    if current is None or rewrite or without_mirror(current) == without_mirror(url):
        return
    raise StickerRefused(
        f"this sticker already holds {current}: take a blank sticker, "
        "or give --rewrite to replace what it holds"
    )


def encode(
    link: TagLink, job: Job, accept: Accept = lambda snapshot: None, unlock: bytes | None = None
) -> Written:
    """Bring the sticker to `job` and verify it; `unlock` opens a sticker protected earlier.

    Raises StickerGone when the sticker leaves, StickerRefused when it cannot take the job.
    """
    try:
        check_capacity(job.url, link.profile)
    except CapacityError as error:
        raise StickerRefused(str(error)) from None
    problem: Exception | None = None
    writes_before = link.writes
    for _attempt in range(ATTEMPTS):
        try:
            written = _attempt_once(link, job, accept, unlock)
            # Every page this sticker took counts, in earlier attempts too.
            return replace(written, writes=link.writes - writes_before)
        except (Nak, NoAnswer, VerifyError) as error:
            problem = error
            link.reactivate()  # StickerGone if it left; else the chip is selected afresh
    if isinstance(problem, VerifyError):
        raise problem
    raise StickerRefused(f"the sticker keeps failing ({problem}): {TAKE_ANOTHER}")


def _attempt_once(link: TagLink, job: Job, accept: Accept, unlock: bytes | None) -> Written:
    target = layout(job.url, link.profile)
    snapshot = read_snapshot(link, through=max(target.pages))
    accept(snapshot)
    steps = plan(job, snapshot)
    if _needs_password(snapshot, steps):
        if unlock is None:
            raise StickerRefused(f"this sticker is write-protected by a password: {HOW}")
        if not link.authenticate(unlock):
            raise StickerRefused(
                "this sticker's password is not the one your secret gives it (protected by "
                f"someone else, or with another secret): {TAKE_ANOTHER}"
            )
        steps = plan(job, snapshot, authenticated=unlock == job.password)
    _refuse_locked(snapshot, steps)
    password_pages = {link.profile.pwd_page, link.profile.pack_page}
    last_password = max((i for i, s in enumerate(steps) if s.page in password_pages), default=-1)
    for index, step in enumerate(steps):
        link.write(step.page, step.data)
        if index == last_password and job.password is not None:
            _prove_password(link, job.password)
    _verify(link, snapshot, job, steps)
    if job.mirror is not None:
        _verify_mirror(link, job)
    return Written(link.uid, link.profile, job.url, len(steps))


def _prove_password(link: TagLink, password: bytes) -> None:
    """PWD_AUTH with the password just written, before AUTH0 is.

    The datasheet has CFG0 take effect at the next power-up, but some chips enforce AUTH0 at
    once: authenticated, the writes that follow go through either way, and a PWD or PACK that
    did not take is caught here rather than after the sticker is locked away.
    """
    if not link.authenticate(password):
        raise VerifyError(
            "the sticker refuses the password just written to it: it may be faulty; " + TAKE_ANOTHER
        )


def _verify_mirror(link: TagLink, job: Job) -> None:
    """Power the sticker up again, as a phone does, and check what its mirror shows then.

    The configuration written takes effect at the next power-up, so only a new activation shows
    the mirror as phones will see it: the UID must be this chip's, and with the counter on, a
    second activation must show it higher than the first.
    """
    assert job.mirror is not None
    position = mirror_position(job.url, link.profile, job.mirror)
    first = position.page * PAGE_SIZE + position.byte
    last_page = (first + job.mirror.length - 1) // PAGE_SIZE
    counting = job.mirror is not MirrorMode.UID
    counters: list[int | None] = []
    for _activation in range(2 if counting else 1):
        link.reactivate()
        data = link.fast_read(position.page, last_page)
        text = data[position.byte : position.byte + job.mirror.length].decode("ascii", "replace")
        try:
            shown = parse_mirror(text)
        except UrlError as error:
            shown, problem = None, str(error)
        else:
            problem = "it still shows the placeholder"
        if shown is None:
            raise VerifyError(
                f"after a new power-up the mirror is not on ({problem}): the sticker may be "
                f"faulty; {TAKE_ANOTHER}"
            )
        if shown.uid is not None and shown.uid != link.uid:
            raise VerifyError(
                f"after a new power-up the mirror shows the UID {shown.uid.hex().upper()}, not "
                f"this chip's {link.uid.hex().upper()}: {TAKE_ANOTHER}"
            )
        counters.append(shown.counter)
    if counting and not (
        counters[0] is not None and counters[1] is not None and counters[1] > counters[0]
    ):
        raise VerifyError(
            f"the mirrored read counter did not go up between two power-ups ({counters[0]}, "
            f"{counters[1]}): the NFC counter is off or the sticker faulty; {TAKE_ANOTHER}"
        )


def _needs_password(snapshot: Snapshot, steps: list[Step]) -> bool:
    first = snapshot.protected_from
    return first is not None and any(step.page >= first for step in steps)


def _refuse_locked(snapshot: Snapshot, steps: list[Step]) -> None:
    locked = sorted({step.page for step in steps} & snapshot.locked_pages)
    if locked:
        raise StickerRefused(
            f"this sticker is locked for good (page {locked[0]:02X}h and others cannot be "
            f"written again): {TAKE_ANOTHER}"
        )
    config_pages = {snapshot.profile.cfg0_page, snapshot.profile.cfg1_page}
    if snapshot.config.cfglck and config_pages & {step.page for step in steps}:
        raise StickerRefused(
            f"this sticker's configuration is locked for good (CFGLCK): {TAKE_ANOTHER}"
        )


def expected_reads(snapshot: Snapshot, job: Job, steps: list[Step]) -> dict[int, bytes]:
    """What the verifying read must show, page by page, in the activation of `snapshot`."""
    expected = dict(layout(job.url, snapshot.profile).pages)
    expected.update({step.page: step.expect for step in steps if step.expect is not None})
    # Until the next power-up, reads show the mirror that was on at this one over what is stored.
    for address in snapshot.mirror_bytes:
        page, offset = divmod(address, PAGE_SIZE)
        if page in expected and page in snapshot.pages:
            data = bytearray(expected[page])
            data[offset] = snapshot.page(page)[offset]
            expected[page] = bytes(data)
    return expected


def read_ranges(pages: list[int], max_pages: int) -> list[tuple[int, int]]:
    """The fewest FAST_READ ranges, each at most `max_pages` long, that cover `pages`."""
    ranges: list[tuple[int, int]] = []
    for page in sorted(pages):
        if ranges and page - ranges[-1][0] < max_pages:
            ranges[-1] = (ranges[-1][0], page)
        else:
            ranges.append((page, page))
    return ranges


def _verify(link: TagLink, snapshot: Snapshot, job: Job, steps: list[Step]) -> None:
    expected = expected_reads(snapshot, job, steps)
    actual: dict[int, bytes] = {}
    for start, end in read_ranges(list(expected), link.max_pages):
        data = link.fast_read(start, end)
        for index in range(end - start + 1):
            actual[start + index] = data[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
    for page in sorted(expected):
        if actual[page] != expected[page]:
            raise VerifyError(
                f"page {page:02X}h reads {actual[page].hex().upper()} instead of "
                f"{expected[page].hex().upper()}: the sticker may be faulty; {TAKE_ANOTHER}"
            )
