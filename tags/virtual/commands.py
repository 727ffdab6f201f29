"""The NTAG21x command set in the ACTIVE state: request bytes in, answer bytes out, or Nak."""

from __future__ import annotations

from collections.abc import Callable

from tags.chips import PAGE_SIZE
from tags.mirror import mirror_start, mirror_text, overlay
from tags.urls import MirrorMode
from tags.virtual.session import (
    ACK,
    NAK_AUTH_LIMIT,
    NAK_INVALID_ARGUMENT,
    Nak,
    Session,
)
from tags.virtual.sticker import COUNTER_MAX

GET_VERSION = 0x60
READ = 0x30
FAST_READ = 0x3A
WRITE = 0xA2
COMPATIBILITY_WRITE = 0xA0
READ_CNT = 0x39
PWD_AUTH = 0x1B
READ_SIG = 0x3C

NFC_COUNTER_ADDRESS = 0x02
READ_PAGES = 4


def _expect_length(frame: bytes, length: int) -> None:
    if len(frame) != length:
        raise Nak(NAK_INVALID_ARGUMENT)


def _answer_pages(session: Session, pages: list[int]) -> bytes:
    """READ/FAST_READ data: count the first read of the power-up, then overlay the mirror."""
    sticker, config = session.sticker, session.config
    if config.nfc_cnt_en and not session.counted and sticker.nfc_counter < COUNTER_MAX:
        sticker.nfc_counter += 1
    session.counted = True
    answer = bytearray(b"".join(session.read_page(page) for page in pages))
    if config.mirror_conf:
        full_length = MirrorMode[config.mirror_conf.name].length
        start = mirror_start(config, session.profile, full_length)
        if start is not None:
            hidden = config.nfc_cnt_pwd_prot and not session.authenticated
            counter = None if hidden else sticker.nfc_counter
            overlay(answer, pages, start, mirror_text(config.mirror_conf, sticker.uid, counter))
    sticker.stats.reads += 1
    sticker.stats.last_access = "read"
    if not session.read_after_write:
        session.read_after_write = True
        sticker.stats.activations_read += 1
    return bytes(answer)


def get_version(session: Session, frame: bytes) -> bytes:
    """60: the 8-byte version that identifies the chip."""
    _expect_length(frame, 1)
    return session.profile.version


def read(session: Session, frame: bytes) -> bytes:
    """30 ADDR: 4 pages, rolling over to page 0 after the last readable page."""
    _expect_length(frame, 2)
    start = frame[1]
    if start > session.profile.last_page or session.read_protected(start):
        raise Nak(NAK_INVALID_ARGUMENT)
    # Without the password, a read-protected chip rolls over at AUTH0 instead of the end.
    end = session.profile.total_pages
    if session.config.prot and not session.authenticated:
        end = min(end, session.config.auth0)
    pages = [(start + i) % end for i in range(READ_PAGES)]
    return _answer_pages(session, pages)


def fast_read(session: Session, frame: bytes) -> bytes:
    """3A START END: pages START to END inclusive."""
    _expect_length(frame, 3)
    start, end = frame[1], frame[2]
    if start > end or end > session.profile.last_page or session.read_protected(end):
        raise Nak(NAK_INVALID_ARGUMENT)
    return _answer_pages(session, list(range(start, end + 1)))


def write(session: Session, frame: bytes) -> bytes:
    """A2 ADDR D0..D3: write one page."""
    _expect_length(frame, 2 + PAGE_SIZE)
    session.check_write(frame[1])
    session.store(frame[1], frame[2:])
    return bytes([ACK])


def compatibility_write(session: Session, frame: bytes) -> bytes:
    """A0 ADDR: first half of COMPATIBILITY_WRITE; the chip then waits for 16 data bytes."""
    _expect_length(frame, 2)
    session.check_write(frame[1])
    session.compat_write_page = frame[1]
    return bytes([ACK])


def compatibility_write_data(session: Session, frame: bytes) -> bytes:
    """Second half of COMPATIBILITY_WRITE: 16 bytes, of which the first 4 are written."""
    page, session.compat_write_page = session.compat_write_page, None
    _expect_length(frame, 16)
    assert page is not None
    session.store(page, frame[:PAGE_SIZE])
    return bytes([ACK])


def read_cnt(session: Session, frame: bytes) -> bytes:
    """39 02: the 24-bit NFC counter, least significant byte first."""
    _expect_length(frame, 2)
    if frame[1] != NFC_COUNTER_ADDRESS:
        raise Nak(NAK_INVALID_ARGUMENT)
    if session.config.nfc_cnt_pwd_prot and not session.authenticated:
        raise Nak(NAK_INVALID_ARGUMENT)
    return session.sticker.nfc_counter.to_bytes(3, "little")


def pwd_auth(session: Session, frame: bytes) -> bytes:
    """1B PWD: on success, authenticated and answers PACK; AUTHLIM counts failures."""
    _expect_length(frame, 5)
    sticker, limit = session.sticker, session.config.authlim
    # The datasheet: once the failures reach AUTHLIM, one more failure locks for good, and
    # from then on every PWD_AUTH fails, right password or not.
    if limit and sticker.auth_failures > limit:
        raise Nak(NAK_AUTH_LIMIT)
    profile = session.profile
    if frame[1:5] == sticker.page(profile.pwd_page):
        sticker.auth_failures = 0
        session.authenticated = True
        return sticker.page(profile.pack_page)[:2]
    if limit:
        sticker.auth_failures += 1
        if sticker.auth_failures > limit:
            raise Nak(NAK_AUTH_LIMIT)
    raise Nak(NAK_INVALID_ARGUMENT)


def read_sig(session: Session, frame: bytes) -> bytes:
    """3C 00: the 32-byte originality signature."""
    _expect_length(frame, 2)
    if frame[1] != 0x00:
        raise Nak(NAK_INVALID_ARGUMENT)
    return session.sticker.signature


COMMANDS: dict[int, Callable[[Session, bytes], bytes]] = {
    GET_VERSION: get_version,
    READ: read,
    FAST_READ: fast_read,
    WRITE: write,
    COMPATIBILITY_WRITE: compatibility_write,
    READ_CNT: read_cnt,
    PWD_AUTH: pwd_auth,
    READ_SIG: read_sig,
}
