"""The write order, page by page and byte by byte, and why it is safe to cut anywhere."""

import pytest

from tags.chips import NTAG213, NTAG215
from tags.mirror import mirror_start
from tags.ndef import decode_user_memory
from tags.urls import MirrorMode, tap_url
from tags.virtual.sticker import Sticker
from tagwriter.memory import Snapshot
from tagwriter.plan import Job, layout, plan
from tagwriter.writer import expected_reads

UID = bytes.fromhex("04E141124C2880")
CODE = "1000C1SS9CG22JXH6EK"
URL = tap_url("https://t.example.org", CODE)
MIRRORED = tap_url("https://t.example.org", CODE, MirrorMode.BOTH)
PASSWORD = b"PWD!PK"


def snapshot_of(sticker: Sticker) -> Snapshot:
    """What one FAST_READ of the sticker's pages shows (no mirror on)."""
    pages = {n: sticker.page(n) for n in range(sticker.profile.cfg1_page + 1)}
    return Snapshot(sticker.profile, sticker.uid, pages)


def apply(sticker: Sticker, steps, upto: int | None = None) -> None:
    """Write the steps onto the sticker's memory as the chip stores them (up to a cut)."""
    for step in steps[:upto]:
        start = step.page * 4
        sticker.memory[start : start + 4] = step.expect if step.expect else step.data


def test_blank_ntag213_gets_the_body_first_and_the_length_page_last():
    sticker = Sticker.blank(NTAG213, UID)
    steps = plan(Job(URL), snapshot_of(sticker))
    pages = [step.page for step in steps]
    image = layout(URL, NTAG213)
    assert 4 not in pages  # the factory Lock Control TLV is already right
    assert pages == [*sorted(p for p in image.pages if p not in (4, 5)), 5]
    message_length = len(URL) - len("https://") + 5  # header, type, payload length, "U", prefix
    assert steps[-1].data == bytes([0x34, 0x03, message_length, 0xD1])


def test_a_sticker_cut_short_reads_blank_until_its_last_message_page():
    steps = plan(Job(URL), snapshot_of(Sticker.blank(NTAG213, UID)))
    for cut in range(1, len(steps) + 1):
        sticker = Sticker.blank(NTAG213, UID)
        apply(sticker, steps, cut)
        if cut < len(steps):
            with pytest.raises(ValueError, match="blank"):
                decode_user_memory(sticker.user_memory)
        else:
            assert sticker.url() == URL
        # Whatever the cut, the next attempt writes only what is missing and ends the same.
        rest = plan(Job(URL), snapshot_of(sticker))
        assert len(rest) == len(steps) - cut
        apply(sticker, rest)
        assert sticker.url() == URL


def test_rewriting_hides_the_old_message_first():
    sticker = Sticker.blank(NTAG213, UID)
    apply(sticker, plan(Job(URL), snapshot_of(sticker)))
    other = URL.replace("6EK", "6EX")
    steps = plan(Job(other), snapshot_of(sticker))
    assert steps[0].page == 5 and steps[0].data[2] == 0  # length 0: an empty message
    assert steps[-1].page == 5 and steps[-1].data[2] != 0
    apply(sticker, steps[:1])
    with pytest.raises(ValueError, match="blank"):
        decode_user_memory(sticker.user_memory)


def test_mirror_password_and_lock_come_after_the_url_in_a_safe_order():
    sticker = Sticker.blank(NTAG213, UID)
    job = Job(MIRRORED, MirrorMode.BOTH, PASSWORD, lock=True)
    steps = plan(job, snapshot_of(sticker))
    after_url = [(step.page, step.data.hex().upper()) for step in steps[-8:]]
    assert after_url == [
        (5, steps[-8].data.hex().upper()),  # the length page, last of the message
        (NTAG213.pwd_page, "50574421"),  # PWD before AUTH0
        (NTAG213.pack_page, "504B0000"),
        # MIRROR C4h: UID and counter, byte 0, STRG_MOD_EN; MIRROR_PAGE 10h; AUTH0 03h.
        (NTAG213.cfg0_page, "C4001003"),
        (NTAG213.cfg1_page, "50050000"),  # CFGLCK and NFC_CNT_EN
        (3, "E110120F"),  # CC: read-only
        (2, "0000FFFF"),  # static lock bits
        (NTAG213.dynamic_lock_page, "FF0F3F00"),  # 12 lock bits, 6 block-locking bits
    ]


def test_a_finished_sticker_needs_no_write_even_with_its_mirror_showing():
    sticker = Sticker.blank(NTAG213, UID)
    job = Job(MIRRORED, MirrorMode.BOTH)
    apply(sticker, plan(job, snapshot_of(sticker)))
    seen = snapshot_of(sticker)
    mirror = f"{UID.hex().upper()}x000007".encode()
    start = mirror_start(sticker.config, NTAG213, len(mirror))
    memory = bytearray(b"".join(seen.pages[n] for n in sorted(seen.pages)))
    memory[start : start + len(mirror)] = mirror  # what a read shows, as the chip does
    shown = Snapshot(NTAG213, UID, {n: bytes(memory[n * 4 : n * 4 + 4]) for n in seen.pages})
    assert plan(job, shown) == []
    expected = expected_reads(shown, job, [])
    assert all(expected[page] == shown.page(page) for page in shown.mirrored_pages)
    # Without the mirror, the pages it hid are written again: what they hold was never seen.
    plain = Job(MIRRORED)
    assert shown.mirrored_pages <= {step.page for step in plan(plain, shown)}


def test_ntag215_layout_has_its_length_in_page_4():
    sticker = Sticker.blank(NTAG215, UID)
    steps = plan(Job(URL), snapshot_of(sticker))
    message = len(URL) - len("https://") + 5
    assert steps[-1].page == 4 and steps[-1].data[:2] == bytes([0x03, message])
