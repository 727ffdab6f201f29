"""The NTAG21x write's rough edges an outside review found, each held to the exact commands."""

from tags.chips import NTAG213
from tags.mirror import mirror_position
from tags.urls import MirrorMode, tap_url
from tags.virtual import Faults, Sticker, VirtualReader
from tags.virtual.link import UdpLink
from tagwriter.cli import main
from tagwriter.password import sticker_password
from tests.support.frames import Recorder
from tests.tagwriter.conftest import SECRET

CODE = "1000C1SS9CG22JXH6EK"
URL = tap_url("https://t.example.org", CODE)
REQA = b"\x26"


def recorded_write(runner, sticker, *args, faults=None, env=None):
    """tagwriter write through a recorder of every frame it sends; (result, frames)."""
    reader = VirtualReader(faults=faults)
    reader.present(sticker)
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        device = f"udp:127.0.0.1:{link.port}"
        result = runner.invoke(main, ["write", *args, "--device", device], env=env)
    finally:
        link.stop()
    return result, recorder.frames


def activations(frames):
    """Indexes of the frames that wake a chip (REQA): one per activation."""
    return [index for index, frame in enumerate(frames) if frame == REQA]


def test_the_mirror_is_checked_after_two_new_power_ups(runner):
    sticker = Sticker.blank(NTAG213)
    url = f"{URL}?M={MirrorMode.BOTH.placeholder}"
    result, frames = recorded_write(runner, sticker, url, "--mirror", "both")
    assert result.exit_code == 0, result.output
    # After the verifying read: two activations of this very chip (REQA and a select of its
    # UID), each with one FAST_READ of the pages under the mirror's 21 characters only.
    position = mirror_position(url, NTAG213, MirrorMode.BOTH)
    last = (position.page * 4 + position.byte + 20) // 4
    mirror_pages = bytes([0x3A, position.page, last])
    woken = activations(frames)
    assert len(woken) == 3
    for start in woken[1:]:
        assert frames[start + 1][:3] == b"\x93\x70\x88"  # select, no anticollision
        assert frames[start + 3] == mirror_pages
    assert frames[-1] == mirror_pages
    assert sticker.stats.power_ups >= 3 and sticker.nfc_counter == 2


def test_a_mirror_that_does_not_count_is_refused(runner):
    sticker = Sticker.blank(NTAG213)
    url = f"{URL}?M={MirrorMode.BOTH.placeholder}"
    # A chip whose counter never moves: the same counter after each power-up.
    sticker.nfc_counter = 0xFFFFFF
    result, _ = recorded_write(runner, sticker, url, "--mirror", "both")
    assert result.exit_code == 1
    assert "the mirrored read counter did not go up between two power-ups" in result.output


def test_the_password_is_proven_right_after_it_is_written(runner):
    sticker = Sticker.blank(NTAG213)
    password = sticker_password(SECRET.encode(), sticker.uid)
    result, frames = recorded_write(
        runner, sticker, URL, "--password", env={"TAGWRITER_SECRET": SECRET}
    )
    assert result.exit_code == 0, result.output
    pwd, pack = NTAG213.pwd_page, NTAG213.pack_page
    index = frames.index(bytes([0xA2, pack]) + password[4:6] + b"\x00\x00")
    assert frames[index - 1] == bytes([0xA2, pwd]) + password[:4]
    # PWD_AUTH with what was just written, before CFG0 (AUTH0) is.
    assert frames[index + 1] == b"\x1b" + password[:4]
    cfg0 = [i for i, frame in enumerate(frames) if frame[:2] == bytes([0xA2, NTAG213.cfg0_page])]
    assert cfg0 and min(cfg0) > index + 1


def test_a_chip_refusing_fast_read_is_read_with_read(runner):
    sticker = Sticker.blank(NTAG213)
    result, frames = recorded_write(runner, sticker, URL, faults=Faults(refused_commands=(0x3A,)))
    assert result.exit_code == 0, result.output
    assert sticker.url() == URL
    assert frames[6] == bytes([0x3A, 0x00, NTAG213.cfg1_page])  # tried once, NAK 0h
    assert [f for f in frames if f[0] == 0x3A] == [frames[6]]  # never again
    reads = [f for f in frames if f[0] == 0x30 and len(f) == 2]
    # The snapshot, pages 0 to 2Ah in 4-page READs, then the verifying read.
    assert reads[:11] == [bytes([0x30, page]) for page in range(0, 0x2B, 4)]
    assert "written and verified" in result.output


def test_the_pages_written_count_every_attempt(runner):
    sticker = Sticker.blank(NTAG213)
    faults = Faults(write_error_rate=0.15, seed=1)  # EEPROM errors: NAK 5h, then a new attempt
    result, frames = recorded_write(runner, sticker, URL, faults=faults)
    assert result.exit_code == 0, result.output
    sent = [frame for frame in frames if frame[0] == 0xA2]
    assert len(sent) > sticker.stats.writes == 11  # some were refused and sent again
    # Before: the pages of the last attempt only, "(0 pages written)" when it had none left.
    assert "(11 pages written)" in result.output


def test_one_of_a_thing_is_singular():
    from tagwriter.progress import plural, status_line

    assert (plural(1, "sticker"), plural(0, "sticker"), plural(2, "page")) == (
        "1 sticker",
        "0 stickers",
        "2 pages",
    )
    # The simulator writes hundreds a minute: whole numbers, not "1234.5".
    assert "1234 stickers/min" in status_line(5, 2000, 1234.4)


def test_the_rate_runs_from_the_first_sticker_of_the_sitting():
    import io

    from tagwriter.progress import Progress

    now = [0.0]
    progress = Progress(io.StringIO(), clock=lambda: now[0])
    progress.update(3, 10)  # the run starts with 3 done earlier
    now[0] = 600.0  # ten minutes to find the reader and put the first sticker on
    progress.update(4, 10)
    now[0] = 630.0
    progress.update(5, 10)
    # One sticker in the 30 s since the first: 2 a minute (not 2 in 10.5 minutes).
    assert progress._line.endswith("2.0 stickers/min  2 min 30 s left")
