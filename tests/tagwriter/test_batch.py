"""`tagwriter batch` from a manifest file: the loop, pulled stickers, crashes and refusals."""

import json
import os
import signal

import pytest

from tags.chips import NTAG213
from tags.virtual import Faults, Sticker
from tagwriter.cli import main
from tests.support.manifests import manifest_file
from tests.support.tagwriter_process import TagwriterProcess
from tests.tagwriter.conftest import SECRET

# A shell that runs the tests in the background makes its children ignore SIGINT (Ctrl-C);
# tagwriter takes SIGTERM the same way, so a kill then stands in for it.
CTRL_C = signal.SIGINT if signal.getsignal(signal.SIGINT) != signal.SIG_IGN else signal.SIGTERM


def journal_records(journals):
    lines = (journals / "batch-1.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def events(journals, name):
    return [record for record in journal_records(journals) if record.get("event") == name]


def urls(manifest):
    return [entry["url"] for entry in json.loads(manifest.read_text())["stickers"]]


def assert_each_url_on_one_sticker(reader, manifest, journals):
    written = [sticker.url() for sticker in reader.stickers]
    assert sorted(written) == sorted(urls(manifest))  # every URL, none twice
    done = events(journals, "done")
    assert len({d["code"] for d in done}) == len({d["uid"] for d in done}) == len(written)
    begun = {}
    for record in events(journals, "begin"):
        assert begun.setdefault(record["code"], record["uid"]) == record["uid"]
    for sticker in reader.stickers:
        uid = sticker.uid.hex().upper()
        assert next(d["url"] for d in done if d["uid"] == uid) == sticker.url()


def test_a_batch_writes_every_url_on_its_own_verified_sticker(
    runner, readers, tmp_path, field_environment
):
    manifest = manifest_file(tmp_path, 5, mirror="both")
    reader = readers(count=5)
    result = runner.invoke(main, ["batch", "--manifest", str(manifest), "--device", reader.path])
    assert result.exit_code == 0, result.output
    assert "[####################] 5/5" in result.output
    assert "batch done: 5 stickers written and verified" in result.output
    assert "5 registrations wait in the journal: send them with 'tagwriter sync'" in result.output
    assert_each_url_on_one_sticker(reader, manifest, field_environment)
    again = runner.invoke(main, ["batch", "--manifest", str(manifest), "--device", reader.path])
    assert again.exit_code == 0 and "batch done: 5" in again.output  # nothing left: no sticker


def test_a_pulled_sticker_is_never_done_and_is_finished_when_back(
    readers, tmp_path, field_environment
):
    manifest = manifest_file(tmp_path, 3)
    reader = readers(count=3, faults=Faults(pull_after_writes=4))
    env = {"TAGWRITER_DEVICE": reader.path}
    with TagwriterProcess("batch", "--manifest", str(manifest), env=env) as tagwriter:
        line = tagwriter.wait_for("pulled away before it was finished")
        first = reader.stickers[0]
        assert first.uid.hex().upper() in line
        assert not events(field_environment, "done")
        [begun] = events(field_environment, "begin")
        assert begun["uid"] == first.uid.hex().upper()
        reader.put_back()
        assert tagwriter.finish() == 0, tagwriter.output
    assert first.url() == urls(manifest)[0]
    assert_each_url_on_one_sticker(reader, manifest, field_environment)


def test_killed_mid_write_it_carries_on_where_it_stopped(readers, tmp_path, field_environment):
    manifest = manifest_file(tmp_path, 3, mirror="counter")
    processes = []

    def kill_on_pull(event, sticker):
        if event == "pulled away":
            os.kill(processes[-1].pid, signal.SIGKILL)

    reader = readers(count=3, faults=Faults(pull_after_writes=6), listener=kill_on_pull)
    env = {"TAGWRITER_DEVICE": reader.path}
    args = ("batch", "--manifest", str(manifest))
    with TagwriterProcess(*args, env=env) as tagwriter:
        processes.append(tagwriter)
        assert tagwriter.finish() == -signal.SIGKILL
    assert not events(field_environment, "done")
    reader.put_back()
    with TagwriterProcess(*args, env=env) as tagwriter:
        processes.append(tagwriter)
        assert tagwriter.finish() == 0, tagwriter.output
    assert_each_url_on_one_sticker(reader, manifest, field_environment)


def test_the_same_sticker_presented_twice_is_noticed(readers, tmp_path, field_environment):
    manifest = manifest_file(tmp_path, 2)
    presented = []

    def hold_back_the_second(event, sticker):
        # The first sticker is lifted off, and the second blank does not come on by itself.
        if event == "presented" and sticker not in presented:
            presented.append(sticker)
            if len(presented) == 2:
                reader.take_away()

    reader = readers(count=2, listener=hold_back_the_second)
    env = {"TAGWRITER_DEVICE": reader.path}
    with TagwriterProcess("batch", "--manifest", str(manifest), env=env) as tagwriter:
        tagwriter.wait_for("put the next blank NTAG213 sticker on the reader")
        first, second = presented
        writes = first.stats.writes
        reader.present(first)  # the finished sticker comes back
        line = tagwriter.wait_for("is already written")
        assert first.uid.hex().upper() in line
        reader.present(second)
        assert tagwriter.finish() == 0, tagwriter.output
    assert first.stats.writes == writes
    assert_each_url_on_one_sticker(reader, manifest, field_environment)


def test_a_sticker_of_another_batch_is_refused_and_the_batch_goes_on(runner, readers, tmp_path):
    other = manifest_file(tmp_path, 1, batch=2)
    used = Sticker.blank(NTAG213)
    first = readers(sticker=used)
    assert (
        runner.invoke(main, ["batch", "--manifest", str(other), "--device", first.path]).exit_code
        == 0
    )
    (tmp_path / "this").mkdir()
    manifest = manifest_file(tmp_path / "this", 1)
    reader = readers(count=1)
    blank = reader.stickers[0]
    reader.present(used)
    env = {"TAGWRITER_DEVICE": reader.path}
    with TagwriterProcess("batch", "--manifest", str(manifest), env=env) as tagwriter:
        line = tagwriter.wait_for("refused")
        assert f"already holds {urls(other)[0]}" in line and "--rewrite" in line
        reader.present(blank)
        assert tagwriter.finish() == 0, tagwriter.output
    assert used.url() == urls(other)[0]
    assert blank.url() == urls(manifest)[0]


def test_ctrl_c_loses_nothing_and_the_same_command_carries_on(readers, tmp_path, field_environment):
    manifest = manifest_file(tmp_path, 3)
    reader = readers(count=1)
    env = {"TAGWRITER_DEVICE": reader.path}
    args = ("batch", "--manifest", str(manifest))
    with TagwriterProcess(*args, env=env) as tagwriter:
        tagwriter.wait_for("1/3")
        tagwriter.process.send_signal(CTRL_C)
        assert tagwriter.finish() == 1
    assert "stopped: 1 of 3 stickers is done" in tagwriter.output
    assert "run the same command again to carry on" in tagwriter.output
    kept = (field_environment / "batch-1.jsonl").read_bytes()
    more = readers(count=2)
    with TagwriterProcess(*args, env={"TAGWRITER_DEVICE": more.path}) as tagwriter:
        assert tagwriter.finish() == 0, tagwriter.output
    assert (field_environment / "batch-1.jsonl").read_bytes().startswith(kept)
    written = [s.url() for s in reader.stickers + more.stickers]
    assert sorted(written) == sorted(urls(manifest))


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "is not valid JSON"),
        ('{"format": "something/1"}', "is not a TapTrail manifest"),
        ('{"format": "taptrail-manifest/1", "batch": 1}', "'place' is missing or malformed"),
    ],
)
def test_a_broken_manifest_is_refused_and_the_journal_kept(
    runner, tmp_path, field_environment, content, says
):
    good = manifest_file(tmp_path, 2)
    field_environment.mkdir()
    journal = field_environment / "batch-1.jsonl"
    journal.write_text(
        json.dumps({"format": "tagwriter-journal/1", "manifest": json.loads(good.read_text())})
        + "\n"
    )
    before = journal.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text(content)
    result = runner.invoke(
        main, ["batch", "--manifest", str(broken), "--device", "udp:127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert says in result.output and "taptrail batches export" in result.output
    assert journal.read_bytes() == before


def test_a_tampered_url_in_the_manifest_is_refused(runner, tmp_path):
    path = manifest_file(tmp_path, 2)
    data = json.loads(path.read_text())
    data["stickers"][1]["url"] = "https://evil.example.com/" + data["stickers"][1]["code"]
    path.write_text(json.dumps(data))
    result = runner.invoke(main, ["batch", "--manifest", str(path), "--device", "udp:127.0.0.1:9"])
    assert result.exit_code == 1 and "sticker 2: the URL does not match" in result.output


def test_a_password_batch_needs_the_secret_and_protects_each_sticker(
    runner, readers, tmp_path, monkeypatch
):
    manifest = manifest_file(tmp_path, 2, password=True)
    reader = readers(count=2)
    args = ["batch", "--manifest", str(manifest), "--device", reader.path]
    refused = runner.invoke(main, args)
    assert refused.exit_code == 2 and "TAGWRITER_SECRET" in refused.output
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    assert runner.invoke(main, [*args, "--secret-file", str(secret)]).exit_code == 0
    pwd = [sticker.page(NTAG213.pwd_page) for sticker in reader.stickers]
    assert len(set(pwd)) == 2 and bytes(4) not in pwd  # one password per sticker
    assert all(sticker.config.auth0 == 3 for sticker in reader.stickers)


def test_a_sticker_blank_but_of_a_smaller_chip_than_the_url_needs_is_refused(readers, tmp_path):
    manifest = manifest_file(tmp_path, 1, chip="ntag215", base="https://t.example.org/" + "p" * 120)
    reader = readers(sticker=Sticker.blank(NTAG213))
    with TagwriterProcess(
        "batch", "--manifest", str(manifest), env={"TAGWRITER_DEVICE": reader.path}
    ) as tagwriter:
        line = tagwriter.wait_for("refused")
        assert "an NTAG213 holds 132 after https://" in line
