"""Stickers saved across runs, and the reader in a subprocess."""

import json

import ndef as ndeflib
import pytest

from tags.chips import NTAG215
from tags.virtual.faults import Faults
from tags.virtual.remote import ReaderProcess, ReaderProcessError
from tags.virtual.statefile import load_stickers, save_stickers
from tags.virtual.sticker import Sticker, StickerStateError
from tests.support.nfcpy_frontend import connect, frontend

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"


def test_stickers_survive_a_save_and_load(tmp_path):
    sticker = Sticker.blank(NTAG215)
    sticker.memory[16:20] = b"\x03\x00\xfe\x01"
    sticker.nfc_counter, sticker.auth_failures = 41, 2
    path = tmp_path / "state.json"
    save_stickers(path, [sticker])
    (loaded,) = load_stickers(path)
    assert (loaded.profile, loaded.uid, loaded.memory) == (NTAG215, sticker.uid, sticker.memory)
    assert (loaded.nfc_counter, loaded.auth_failures) == (41, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read"),
        ('{"format": "other"}', "not a virtual sticker state file"),
        ('{"format": "taptrail-virtual-stickers/1", "stickers": [{"chip": "ntag213"}]}', "uid"),
    ],
)
def test_damaged_state_files_are_explained(tmp_path, content, message):
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StickerStateError, match=message):
        load_stickers(path)


def test_wrong_memory_size_is_refused():
    data = Sticker.blank(NTAG215).to_dict()
    data["memory"] = data["memory"][:-8]
    with pytest.raises(StickerStateError, match="bytes"):
        Sticker.from_dict(json.loads(json.dumps(data)))


def test_reader_in_a_subprocess():
    with ReaderProcess("ntag215", 2, seed=5, take_away_after_read_back=True) as reader:
        with frontend(reader.path) as clf:
            first = connect(clf)
            assert type(first).__name__ == "NTAG215"
            first.ndef.records = [ndeflib.UriRecord(URL)]
            assert connect(clf).ndef.records[0].iri == URL
            second = connect(clf)
        assert second.identifier != first.identifier
        stickers = reader.stickers
        assert [s.uid for s in stickers] == [first.identifier, second.identifier]
        assert stickers[0].url() == URL and stickers[0].stats.writes > 0
        reader.set_faults(Faults(delay=0.001))
        reader.take_away()
        assert reader.sticker is None
        assert reader.put_back().uid == second.identifier
    with pytest.raises(ReaderProcessError, match="not running"):
        reader.next_sticker()
