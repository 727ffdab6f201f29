"""`tagwriter batch` with NTAG 424 DNA stickers: keys from the real server, SUN taps that verify."""

import json

import requests

from server.models import Outcome
from tags.ntag424.facts import NTAG424DNA
from tags.ntag424.layout import sun_url
from tags.virtual import Faults, Roll, VirtualReader
from tags.virtual.link import UdpLink
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tagwriter.batch import BatchRun
from tagwriter.cli import main
from tagwriter.client import Client
from tagwriter.journal import Journal
from tagwriter.manifest import parse_manifest
from tests.server.factories import PHONE, drained_taps
from tests.support.frames import Recorder, iso_dep_exchanges
from tests.support.nfcpy_frontend import connect, frontend
from tests.support.tagwriter_process import TagwriterProcess
from tests.tags.ntag424 import vectors as v
from tests.tagwriter.test_server import api, batch_args, issue


def journal_records(journals, batch):
    lines = (journals / f"batch-{batch}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def phone_read(sticker):
    """The URL a phone reads from the sticker, one tap."""
    with VirtualReader() as reader:
        reader.present(sticker)
        with frontend(reader.path) as clf:
            return connect(clf).ndef.records[0].iri


def tap(live, url):
    path = url.removeprefix("https://t.example.org")
    return requests.get(
        live.url + path, headers={"User-Agent": PHONE}, allow_redirects=False, timeout=10
    )


def test_a_424_batch_is_personalised_registered_and_its_taps_counted_once(
    runner, live, field_environment
):
    manifest = issue(live, 2, chip="ntag424")
    roll = Roll(NTAG424DNA, count=2, seed=5)
    with VirtualReader(roll, take_away_after_read_back=True) as reader:
        args = batch_args(manifest["batch"], live.url, live.token, reader.path)
        result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "batch done: 2 stickers written and verified" in result.output
    records = journal_records(field_environment, manifest["batch"])
    done = [r for r in records if r.get("event") == "done"]
    assert [r["chip"] for r in done] == ["ntag424", "ntag424"]
    assert {r["uid"] for r in done} == {s.uid.hex().upper() for s in roll.stickers}
    assert len([r for r in records if r.get("event") == "registered"]) == 2
    listed = api(live, "GET", f"/batches/{manifest['batch']}/stickers").json()["items"]
    assert [(i["status"], i["chip"]) for i in listed] == [("encoded", "ntag424")] * 2

    # A phone's tap of each sticker is counted; the same URL sent again is a replay.
    for sticker in roll.stickers:
        url = phone_read(sticker)
        assert tap(live, url).status_code == 303 and tap(live, url).status_code == 303
    taps = drained_taps(live.app)
    assert [t.outcome for t in taps] == [Outcome.OK, Outcome.REPLAYED] * 2
    assert [t.mirror_counter for t in taps] == [3, 3, 3, 3]  # two verifying reads, then ours


def test_a_424_batch_needs_the_server_for_its_keys(runner, live, tmp_path):
    manifest = issue(live, 1, chip="ntag424")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    result = runner.invoke(main, ["batch", "--manifest", str(path), "--device", "udp:127.0.0.1:9"])
    assert result.exit_code == 2
    assert "give --server URL and --token TOKEN" in result.output


def test_a_424_pulled_mid_way_keeps_its_url_and_is_finished_when_back(live, field_environment):
    manifest = issue(live, 2, chip="ntag424")
    roll = Roll(NTAG424DNA, count=2, seed=6)
    with VirtualReader(roll, Faults(pull_after_writes=3), take_away_after_read_back=True) as reader:
        env = {"TAGWRITER_DEVICE": reader.path}
        args = batch_args(manifest["batch"], live.url, live.token, reader.path)
        with TagwriterProcess(*args, env=env) as tagwriter:
            line = tagwriter.wait_for("pulled away before it was finished")
            first = roll.stickers[0]
            assert first.uid.hex().upper() in line
            reader.set_faults(Faults())
            reader.put_back()
            assert tagwriter.finish() == 0, tagwriter.output
    records = journal_records(field_environment, manifest["batch"])
    begun = [(r["code"], r["uid"]) for r in records if r.get("event") == "begin"]
    codes = [entry["code"] for entry in manifest["stickers"]]
    assert begun == list(zip(codes, [s.uid.hex().upper() for s in roll.stickers], strict=True))
    assert [r["code"] for r in records if r.get("event") == "interrupted"] == codes[:1]
    for sticker, entry in zip(roll.stickers, manifest["stickers"], strict=True):
        assert sticker.url() == entry["url"] and sticker.key_versions[0] > 0


class Quiet:
    def say(self, text):
        pass

    def progress(self, done, total):
        pass


def test_the_424_path_opens_with_the_published_authentication_command(live, tmp_path):
    """The first APDUs against AN12196: select, key versions, file settings, then
    AuthenticateEV2First with key 0 exactly as the note prints it (90 71 00 00 02 00 00 00)."""
    manifest = issue(live, 1, chip="ntag424")
    batch = parse_manifest(manifest, "test")
    journal = Journal.open(tmp_path / "batch.jsonl", batch.manifest)
    roll = Roll(NTAG424DNA, count=1, seed=7)
    with VirtualReader(roll, take_away_after_read_back=True) as reader:
        recorder = Recorder(reader)
        link = UdpLink(recorder)
        link.start()
        try:
            with frontend(f"udp:127.0.0.1:{link.port}") as clf:
                client = Client(live.url, live.token)
                fixed = lambda size: v.AUTH0_RND_A[:size]  # noqa: E731
                BatchRun(batch, journal, clf, Quiet(), client, random=fixed).run()
        finally:
            link.stop()
    commands = [command for command, _ in iso_dep_exchanges(recorder.frames, recorder.answers)]
    assert commands[0] == bytes.fromhex("00A4040C07D276000085010100")
    assert commands[6] == bytes.fromhex("90F50000010200")  # GetFileSettings of the NDEF file
    assert commands[7] == v.AUTH0_COMMAND
    assert roll.stickers[0].url() == manifest["stickers"][0]["url"]


def test_write_takes_the_424_path_when_the_sticker_speaks_iso_dep(runner, live):
    code = issue(live, 1, chip="ntag424")["stickers"][0]["code"]
    sticker = Ntag424Sticker.blank()
    with VirtualReader() as reader:
        reader.present(sticker)
        options = ["--base-url", "https://t.example.org", "--device", reader.path]
        server = ["--server", live.url, "--token", live.token]
        without = runner.invoke(main, ["write", code, *options])
        assert without.exit_code == 2 and "gets its keys from the server" in without.output
        result = runner.invoke(main, ["write", code, *options, *server])
        assert result.exit_code == 0, result.output
        assert "personalised and verified (url, settings, key 1" in result.output
        assert "read counter 1 then 2" in result.output
        again = runner.invoke(main, ["write", code, *options, *server, "--chip", "ntag424"])
        assert again.exit_code == 0 and "nothing left to write" in again.output
    assert sticker.url() == sun_url("https://t.example.org", code)
