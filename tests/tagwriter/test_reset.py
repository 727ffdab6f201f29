"""`tagwriter reset`: an NTAG 424 DNA back to the factory with keys from the real server, its code
retired and its chip freed; pulled mid-way and finished; the server told late; refusals."""

import json

import pytest

from tags.chips import NTAG213
from tags.ntag424 import apdu, ev2
from tags.ntag424.aes import ZERO_IV, cbc_decrypt
from tags.ntag424.facts import FACTORY_SETTINGS, NDEF_FILE
from tags.ntag424.filesettings import CommMode
from tags.ntag424.keys import FACTORY_KEY, master_key, sticker_keys
from tags.ntag424.layout import ndef_file, sun_url
from tags.ntag424.securemessaging import SecureChannel
from tags.virtual import Faults, Sticker, VirtualReader
from tags.virtual.link import UdpLink
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tagwriter.cli import main
from tagwriter.journal import Journal
from tagwriter.ntag424.personalise import personalise as personalise_424
from tests.support.frames import Recorder, iso_dep_exchanges
from tests.support.nfcpy_frontend import frontend
from tests.tagwriter.test_ntag424 import OK
from tests.tagwriter.test_ntag424_reset import LOOK
from tests.tagwriter.test_server import api, issue

BASE = ["--base-url", "https://t.example.org"]
ALL_STEPS = "settings, key 1, key 2, key 3, key 4, key 0, url"


def server(live):
    return ["--server", live.url, "--token", live.token]


def personalise(runner, live, reader, code):
    """Personalise the sticker on the reader with `code`, and register it as the batch would."""
    args = ["write", code, *BASE, *server(live), "--device", reader.path, "--chip", "ntag424"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    uid = reader.sticker.uid.hex().upper()
    body = {"code": code, "uid": uid, "chip": "ntag424"}
    assert api(live, "POST", "/registrations", json=body).status_code == 201
    return uid


def reset(runner, live, reader, *more, with_server=True, answer=None):
    args = ["reset", "--device", reader.path, "--wait", "2", *more]
    return runner.invoke(main, args + (server(live) if with_server else []), input=answer)


def assert_factory(sticker):
    assert sticker.keys == [FACTORY_KEY] * 5 and sticker.key_versions == [0] * 5
    assert sticker.settings == FACTORY_SETTINGS
    assert sticker.files[NDEF_FILE] == bytearray(256)


def journal(field_environment):
    lines = (field_environment / "resets.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def listed(live, batch):
    items = api(live, "GET", f"/batches/{batch}/stickers").json()["items"]
    return [(item["status"], item["uid"]) for item in items]


@pytest.fixture
def reader():
    with VirtualReader() as reader:
        reader.present(Ntag424Sticker.blank())
        yield reader


def test_a_sticker_is_reset_its_code_retired_and_its_chip_takes_a_new_code(
    runner, live, reader, field_environment
):
    manifest = issue(live, 2, chip="ntag424")
    first, second = (entry["code"] for entry in manifest["stickers"])
    uid = personalise(runner, live, reader, first)
    refused = reset(runner, live, reader, answer="n\n")
    assert refused.exit_code == 1 and f"Its code {first} will be retired" in refused.output
    assert reader.sticker.key_versions == [1] * 5  # asked first, nothing touched

    result = reset(runner, live, reader, "--yes")
    assert result.exit_code == 0, result.output
    assert f"sticker {uid} (NTAG 424 DNA) is reset to its factory state ({ALL_STEPS})" in (
        result.output
    )
    assert f"the server retired code {first} and freed the chip {uid}" in result.output
    assert_factory(reader.sticker)
    assert listed(live, manifest["batch"]) == [("retired", None), ("planned", None)]
    events = [(r["event"], r.get("step")) for r in journal(field_environment)]
    assert events == [
        ("reset_begin", None),
        *[("reset_step", step) for step in ALL_STEPS.split(", ")],
        ("reset_done", None),
        ("reset_told", None),
    ]
    # The chip, freed, takes the next code; the retired code's URL gets the "retired" page.
    personalise(runner, live, reader, second)
    assert listed(live, manifest["batch"]) == [("retired", None), ("encoded", uid)]
    verdict = api(live, "GET", "/verdict", params={"code": first}).json()
    assert verdict["outcome"] == "retired sticker"
    # A factory sticker: nothing to do.
    assert reset(runner, live, reader, "--yes").exit_code == 0
    again = reset(runner, live, reader)
    assert "is in its factory state already: nothing to reset" in again.output


def test_a_reset_pulled_mid_way_carries_on_at_the_next_run(runner, live, reader, field_environment):
    manifest = issue(live, 1, chip="ntag424")
    code = manifest["stickers"][0]["code"]
    uid = personalise(runner, live, reader, code)
    reader.set_faults(Faults(pull_after_writes=3))  # settings, key 1, key 2: then gone
    pulled = reset(runner, live, reader, "--yes")
    assert pulled.exit_code == 1
    assert f"sticker {uid} left the reader before the reset was finished: put it back" in (
        pulled.output
    )
    assert reader.sticker is None
    reader.put_back()
    result = reset(runner, live, reader)  # under way: not asked again
    assert result.exit_code == 0, result.output
    assert "reset to its factory state (key 3, key 4, key 0, url)" in result.output
    assert_factory(reader.sticker)
    assert listed(live, manifest["batch"]) == [("retired", None)]
    steps = [r["step"] for r in journal(field_environment) if r["event"] == "reset_step"]
    assert steps == ALL_STEPS.split(", ")


def test_a_half_personalised_sticker_is_reset_offline_and_the_server_told_later(
    runner, live, reader, field_environment
):
    manifest = issue(live, 1, chip="ntag424")
    code = manifest["stickers"][0]["code"]
    reader.set_faults(Faults(pull_after_writes=2))  # URL and settings, no key yet
    args = ["write", code, *BASE, *server(live), "--device", reader.path, "--chip", "ntag424"]
    assert runner.invoke(main, args).exit_code == 1
    reader.put_back()
    # The code had been begun in a batch, which would wait for this sticker: it is given up.
    uid = reader.sticker.uid.hex().upper()
    batch = Journal.open(field_environment / f"batch-{manifest['batch']}.jsonl", manifest)
    batch.append({"event": "begin", "code": code, "uid": uid})
    result = reset(runner, live, reader, "--yes", with_server=False)  # factory keys: no server
    assert result.exit_code == 0, result.output
    assert "reset to its factory state (settings, url)" in result.output
    assert f"batch {manifest['batch']} goes on without code {code}" in result.output
    assert code in Journal.open(batch.path).released
    assert "the server was not told: run 'tagwriter reset --server URL --token TOKEN'" in (
        result.output
    )
    assert_factory(reader.sticker)
    assert listed(live, manifest["batch"]) == [("planned", None)]
    reader.take_away()
    later = reset(runner, live, reader)  # no sticker: the server is told all the same
    assert f"the server retired code {code}" in later.output
    assert "no sticker came within 2 s" in later.output and later.exit_code == 1
    assert listed(live, manifest["batch"]) == [("retired", None)]


def test_a_sticker_with_keys_that_are_not_its_own_is_refused_with_what_to_do(runner, live, reader):
    manifest = issue(live, 1, chip="ntag424")
    personalise(runner, live, reader, manifest["stickers"][0]["code"])
    reader.sticker.keys[2] = bytes(range(16))  # version 1 still: another system's key
    result = reset(runner, live, reader, "--yes")
    assert result.exit_code == 1
    assert "key 2 of this sticker is not the key derived for it" in result.output
    assert "key 0 was left alone, so nothing is lost; put it aside" in result.output
    assert reader.sticker.key_versions[0] == 1 and reader.sticker.key_versions[3] == 1
    assert listed(live, manifest["batch"])[0][0] == "encoded"  # the server is not told


def test_a_keyed_sticker_needs_the_server(runner, live, reader):
    manifest = issue(live, 1, chip="ntag424")
    personalise(runner, live, reader, manifest["stickers"][0]["code"])
    result = reset(runner, live, reader, "--yes", with_server=False)
    assert result.exit_code == 2 and "keys come from the server: give --server" in result.output
    assert reader.sticker.key_versions == [1] * 5


def test_an_ntag21x_is_refused(runner, live):
    with VirtualReader() as reader:
        reader.present(Sticker.blank(NTAG213))
        result = reset(runner, live, reader)
    assert result.exit_code == 1 and "'tagwriter write URL --rewrite'" in result.output


def test_a_keyed_sticker_naming_no_code_is_refused_before_anything_is_journaled(
    runner, live, reader, field_environment
):
    with frontend(reader.path) as clf:
        personalise_424(clf, sun_url("https://example.org", "hello"), bytes(16), 1)
    result = reset(runner, live, reader, "--yes")
    assert result.exit_code == 1 and "names no TapTrail code to ask the server" in result.output
    assert not (field_environment / "resets.jsonl").exists()
    assert reader.sticker.key_versions == [1] * 5


def test_a_sticker_of_a_revoked_key_is_reset_with_the_exact_apdus_of_its_own_keys(
    runner, live, reader
):
    # A sticker keyed under key 1; then key 1 is rotated out and revoked (its taps refused).
    manifest = issue(live, 1, chip="ntag424")
    code = manifest["stickers"][0]["code"]
    uid = personalise(runner, live, reader, code)
    signer = live.keyring.active
    live.app.extensions["taptrail.keyring"] = live.keyring.rotate().revoke(signer.name)
    verdict = api(live, "GET", "/verdict", params={"code": code}).json()
    assert verdict["outcome"] == "revoked key"
    # The reset, through a recorder between nfcpy and the virtual reader.
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        device = f"udp:127.0.0.1:{link.port}"
        args = ["reset", "--device", device, "--wait", "2", "--yes", *server(live)]
        result = runner.invoke(main, args)
    finally:
        link.stop()
    assert result.exit_code == 0, result.output
    assert f"sticker {uid} (NTAG 424 DNA) is reset to its factory state ({ALL_STEPS})" in (
        result.output
    )
    assert_factory(reader.sticker)
    assert listed(live, manifest["batch"]) == [("retired", None)]
    # The APDUs: the look, in plain; then the revoked key's own derived keys open the chip.
    exchanges = iso_dep_exchanges(recorder.frames, recorder.answers)
    commands = [command for command, _ in exchanges]
    assert commands[:8] == LOOK
    assert [answer for _, answer in exchanges[1:6]] == [bytes([signer.kid]) + OK] * 5
    keys = sticker_keys(master_key(signer.secret), bytes.fromhex(uid), signer.kid)
    assert commands[8] == bytes.fromhex("9071000002000000")  # AuthenticateEV2First, key 0
    challenge, confirmation = exchanges[8][1][:-2], exchanges[9][1][:-2]
    # RndA is the tool's own random: read back with key 0 from its answer, then the answer
    # must be exactly the one key 0 gives for that RndA (AN12196 §6.6's steps).
    sent = commands[9][5:-1]
    rnd_a = cbc_decrypt(keys.keys[0], ZERO_IV, sent)[:16]
    answer, rnd_b = ev2.answer_challenge(keys.keys[0], challenge, rnd_a)
    assert commands[9] == apdu.native(apdu.ADDITIONAL_FRAME, answer)
    channel = SecureChannel(ev2.finish(keys.keys[0], 0, rnd_a, rnd_b, confirmation))

    def expected(ins, header, data=b""):
        wrapped = apdu.native(ins, channel.wrap(ins, header, data, CommMode.FULL))
        channel.counter += 1
        return wrapped

    factory = FACTORY_SETTINGS[NDEF_FILE].encode_change()
    assert commands[10] == expected(apdu.CHANGE_FILE_SETTINGS, b"\x02", factory)
    for key_no in (1, 2, 3, 4):
        data = apdu.change_key_data(key_no, 0, FACTORY_KEY, 0, keys.keys[key_no])
        assert commands[10 + key_no] == expected(apdu.CHANGE_KEY, bytes([key_no]), data)
    assert commands[15] == expected(apdu.CHANGE_KEY, b"\x00", FACTORY_KEY + b"\x00")
    used = len(ndef_file(sun_url("https://t.example.org", code)))
    header = b"\x02" + apdu.offset(0) + apdu.offset(used)
    assert commands[16:] == [apdu.native(apdu.WRITE_DATA, header + bytes(used))]
    assert all(answer.endswith(OK) for _, answer in exchanges[9:])
    # Its taps stay refused: the code is retired and its key revoked.
    assert api(live, "GET", "/verdict", params={"code": code}).json()["outcome"] == "revoked key"
