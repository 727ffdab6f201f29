"""The journal: what it replays, what a crash can leave, and what it refuses."""

import pytest

from tagwriter.journal import Journal, JournalError
from tagwriter.progress import status_line
from tests.support.manifests import manifest


def test_events_replay_into_bindings_done_and_waiting_registrations(tmp_path):
    path = tmp_path / "batch-1.jsonl"
    data = manifest(2)
    code, other = (s["code"] for s in data["stickers"])
    journal = Journal.open(path, data)
    journal.append({"event": "begin", "code": code, "uid": "04AA"})
    journal.append({"event": "begin", "code": code, "uid": "04BB"})  # never rebinds
    done = {"event": "done", "code": code, "uid": "04AA", "chip": "ntag213", "encoded_at": "x"}
    journal.append(done)
    again = Journal.open(path, data)
    assert again.bound == {code: "04AA"} and again.uid_done("04AA") == code
    assert [r["code"] for r in again.waiting_registrations()] == [code]
    again.append({"event": "registered", "code": code, "uid": "04AA", "status": 201})
    assert Journal.open(path).waiting_registrations() == []
    assert Journal.open(path).code_bound_to("04AA") is None
    assert other not in Journal.open(path).bound


def test_a_line_cut_by_a_crash_is_skipped_and_the_next_one_starts_afresh(tmp_path):
    path = tmp_path / "batch-1.jsonl"
    data = manifest(1)
    code = data["stickers"][0]["code"]
    Journal.open(path, data)
    with path.open("a") as file:
        file.write('{"at": "now", "event": "begin", "co')  # the crash
    journal = Journal.open(path, data)
    assert journal.damaged_lines == 1 and journal.bound == {}
    journal.append({"event": "begin", "code": code, "uid": "04AA"})
    reopened = Journal.open(path, data)
    assert reopened.bound == {code: "04AA"} and reopened.damaged_lines == 1


def test_a_journal_of_another_batch_is_not_mixed_in(tmp_path):
    path = tmp_path / "batch-1.jsonl"
    Journal.open(path, manifest(2))
    with pytest.raises(JournalError, match="belongs to another batch"):
        Journal.open(path, manifest(2))  # other codes (another keyring)
    path.write_text("hello\n")
    with pytest.raises(JournalError, match="is not a tagwriter journal"):
        Journal.open(path)


def test_the_progress_line_says_done_rate_and_time_left():
    assert (
        status_line(5, 20, 10.0)
        == "[#####---------------] 5/20  10.0 stickers/min  1 min 30 s left"
    )
    assert status_line(0, 20, None) == "[--------------------] 0/20"
