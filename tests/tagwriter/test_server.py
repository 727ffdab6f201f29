"""The field tool against the real server on loopback: batches, registrations, verdicts."""

import json
import os
import signal
import socket

import requests

from tags.virtual import VirtualReader
from tagwriter.cli import main
from tagwriter.journal import Journal
from tests.server.factories import PHONE, drained_taps
from tests.support.nfcpy_frontend import connect, frontend
from tests.support.tagwriter_process import TagwriterProcess


def api(live, method, path, **options):
    headers = {"Authorization": f"Bearer {live.token}"}
    return requests.request(
        method, f"{live.url}/api/v1{path}", headers=headers, timeout=10, **options
    )


def issue(live, count, **options):
    response = api(
        live, "POST", "/batches", json={"place": "la-piscine", "count": count, **options}
    )
    assert response.status_code == 201, response.text
    return response.json()


def batch_args(batch, server, token, device="udp:127.0.0.1:9"):
    """tagwriter batch from a server."""
    return [
        "batch",
        "--batch",
        str(batch),
        "--server",
        server,
        "--token",
        token,
        "--device",
        device,
    ]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_back(stickers):
    """What plain nfcpy reads from each sticker, one after the other on a reader."""
    urls = []
    with VirtualReader() as reader:
        for sticker in stickers:
            reader.present(sticker)
            with frontend(reader.path) as clf:
                urls.append(connect(clf).ndef.records[0].iri)
    return urls


def test_a_batch_of_20_killed_after_the_7th_is_finished_by_running_it_again(
    live, readers, field_environment
):
    manifest = issue(live, 20, mirror="both")
    batch = manifest["batch"]
    running, presented = [], []

    def kill_after_the_seventh(event, sticker):
        # The 8th blank comes on only once the 7th was verified, journaled and registered.
        if event == "presented":
            presented.append(sticker)
            if len(presented) == 8:
                os.kill(running[0].pid, signal.SIGKILL)

    reader = readers(count=20, listener=kill_after_the_seventh)
    env = {
        "TAGWRITER_DEVICE": reader.path,
        "TAGWRITER_SERVER": live.url,
        "TAGWRITER_TOKEN": live.token,
    }
    args = ("batch", "--batch", str(batch))
    with TagwriterProcess(*args, env=env) as first:
        running.append(first)
        assert first.finish() == -signal.SIGKILL
    journal = field_environment / f"batch-{batch}.jsonl"
    assert len(Journal.open(journal).done) == 7
    with TagwriterProcess(*args, env=env) as second:
        running.append(second)
        assert second.finish() == 0, second.output
    assert "batch done: 20 stickers written and verified" in second.output

    stickers = reader.stickers
    assert len(stickers) == 20
    # No URL twice: on the stickers, and in the journal.
    assert sorted(s.url() for s in stickers) == sorted(e["url"] for e in manifest["stickers"])
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    done = [r for r in records if r.get("event") == "done"]
    assert len(done) == 20 == len({r["code"] for r in done}) == len({r["uid"] for r in done})
    assert len([r for r in records if r.get("event") == "registered"]) == 20

    # A phone (plain nfcpy) reads each URL with its real UID mirrored, and the server accepts it.
    for sticker, url in zip(stickers, read_back(stickers), strict=True):
        uid = sticker.uid.hex().upper()
        assert url.endswith(f"?M={uid}x000003")  # after the two power-ups that checked the mirror
        verdict = api(live, "GET", "/verdict", params={"url": url}).json()
        assert verdict["valid"] and verdict["place"]["slug"] == "la-piscine"
        assert verdict["mirror"]["uid_matches"] is True
        path = url.removeprefix("https://t.example.org")
        tap = requests.get(
            live.url + path, headers={"User-Agent": PHONE}, allow_redirects=False, timeout=10
        )
        assert tap.status_code == 303
    taps = drained_taps(live.app)
    assert len(taps) == 20 and all(tap.uid_matches for tap in taps)

    listed = api(live, "GET", f"/batches/{batch}/stickers").json()["items"]
    assert [item["status"] for item in listed] == ["encoded"] * 20
    assert {item["uid"] for item in listed} == {s.uid.hex().upper() for s in stickers}


def test_read_shows_the_servers_verdict(runner, live, readers):
    manifest = issue(live, 1)
    reader = readers(count=1)
    options = ["--device", reader.path, "--server", live.url, "--token", live.token]
    assert (
        runner.invoke(main, ["batch", "--batch", str(manifest["batch"]), *options]).exit_code == 0
    )
    reader.present(reader.stickers[0])
    result = runner.invoke(main, ["read", "--json", "--wait", "5", *options])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["url"] == manifest["stickers"][0]["url"]
    assert info["server"]["valid"] is True and info["server"]["sticker"]["status"] == "encoded"
    assert info["signature"] == {"valid": True, "by": "virtual practice key"}
    reader.present(reader.stickers[0])  # the practice reader lifted it after the read
    people = runner.invoke(main, ["read", "--wait", "5", *options])
    assert "valid: La Piscine (la-piscine), sticker encoded" in people.output


def test_a_bad_token_is_refused_with_the_next_step_and_the_journal_kept(
    runner, live, field_environment
):
    batch = issue(live, 2)["batch"]
    field_environment.mkdir()
    journal = field_environment / f"batch-{batch}.jsonl"
    journal.write_text('{"format": "tagwriter-journal/1", "manifest": {}}\n')
    before = journal.read_bytes()
    result = runner.invoke(main, batch_args(batch, live.url, "tt_forged"))
    assert result.exit_code == 1
    assert "the server refused the token" in result.output and "administrator" in result.output
    assert journal.read_bytes() == before


def test_server_down_without_a_journal_says_what_to_check(runner, field_environment):
    server = f"http://127.0.0.1:{closed_port()}"
    result = runner.invoke(main, batch_args(3, server, "t"))
    assert result.exit_code == 1
    assert f"the server at {server} does not answer" in result.output
    assert "check the address and the network" in result.output
    assert not field_environment.exists()


def test_server_down_mid_batch_registrations_wait_for_sync(
    runner, live, readers, field_environment
):
    manifest = issue(live, 3)
    batch = manifest["batch"]
    Journal.open(field_environment / f"batch-{batch}.jsonl", manifest)  # the batch was begun
    reader = readers(count=3)
    down = f"http://127.0.0.1:{closed_port()}"
    result = runner.invoke(main, batch_args(batch, down, live.token, reader.path))
    assert result.exit_code == 0, result.output
    assert "carrying on with the batch as the journal holds it" in result.output
    assert "3 registrations wait in the journal: send them with 'tagwriter sync'" in result.output
    failed = runner.invoke(main, ["sync", "--server", down, "--token", live.token])
    assert failed.exit_code == 1 and "3 registrations still wait" in failed.output
    synced = runner.invoke(main, ["sync", "--server", live.url, "--token", live.token])
    assert synced.exit_code == 0 and "3 registrations sent" in synced.output
    listed = api(live, "GET", f"/batches/{batch}/stickers").json()["items"]
    assert {item["uid"] for item in listed} == {s.uid.hex().upper() for s in reader.stickers}
    again = runner.invoke(main, ["sync", "--server", live.url, "--token", live.token])
    assert again.exit_code == 0 and "0 registrations sent" in again.output


def test_a_registration_the_server_refuses_is_journaled_and_said(
    runner, live, readers, field_environment
):
    first, second = issue(live, 1), issue(live, 1)
    reader = readers(count=1)
    sticker = reader.stickers[0]
    assert (
        runner.invoke(main, batch_args(first["batch"], live.url, live.token, reader.path)).exit_code
        == 0
    )
    reader.present(sticker)  # the same chip, rewritten with a code of another batch
    result = runner.invoke(
        main, [*batch_args(second["batch"], live.url, live.token, reader.path), "--rewrite"]
    )
    assert result.exit_code == 0, result.output
    uid = sticker.uid.hex().upper()
    assert f"the server refused sticker {uid}" in result.output
    assert f"already holds code {first['stickers'][0]['code']}" in result.output
    journal = Journal.open(field_environment / f"batch-{second['batch']}.jsonl")
    assert list(journal.refused) == [second["stickers"][0]["code"]]
    assert journal.waiting_registrations() == []  # refused is final: sync will not resend it
