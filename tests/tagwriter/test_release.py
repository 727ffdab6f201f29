"""A URL bound to a half-written sticker that never comes back: released, with the server told."""

import json
import signal

from tags.chips import NTAG213
from tags.virtual import Faults, Sticker, VirtualReader
from tagwriter.cli import main
from tests.support.tagwriter_process import TagwriterProcess
from tests.tagwriter.test_server import api, issue


def test_a_lost_half_written_sticker_is_released_and_the_batch_finishes(
    runner, live, field_environment
):
    manifest = issue(live, 2)
    batch = manifest["batch"]
    first_code, second_code = (entry["code"] for entry in manifest["stickers"])
    lost, second, third = (Sticker.blank(NTAG213) for _ in range(3))
    server = ["--server", live.url, "--token", live.token]
    with VirtualReader(faults=Faults(pull_after_writes=3)) as reader:
        reader.present(lost)
        env = {"TAGWRITER_DEVICE": reader.path}
        with TagwriterProcess("batch", "--batch", str(batch), *server, env=env) as tagwriter:
            tagwriter.wait_for("pulled away before it was finished")
            reader.set_faults(Faults())
            reader.present(second)
            tagwriter.wait_for("written and verified")
            reader.present(third)
            line = tagwriter.wait_for("gets no URL")
            # The batch says which sticker holds the last URL, and how to give it up.
            assert f"{lost.uid.hex().upper()} ({first_code})" in line
            assert f"'tagwriter release --batch {batch} CODE'" in line
            tagwriter.process.send_signal(signal.SIGTERM)
            assert tagwriter.finish() == 1
        assert "stopped: 1 of 2 stickers is done" in tagwriter.output

        without = runner.invoke(main, ["release", first_code, "--batch", str(batch)])
        assert without.exit_code == 2 and "the server must be told" in without.output
        done = runner.invoke(main, ["release", second_code, "--batch", str(batch), *server])
        assert done.exit_code == 1 and "is on a finished sticker" in done.output
        result = runner.invoke(main, ["release", first_code, "--batch", str(batch), *server])
        assert result.exit_code == 0, result.output
        assert f"{first_code} (begun on sticker {lost.uid.hex().upper()}) is released" in (
            result.output
        )
        again = runner.invoke(
            main, ["batch", "--batch", str(batch), *server, "--device", reader.path]
        )
        assert again.exit_code == 0, again.output
        assert "batch done: 1 sticker written and verified, 1 released" in again.output

    listed = api(live, "GET", f"/batches/{batch}/stickers").json()["items"]
    assert [(item["code"], item["status"]) for item in listed] == [
        (first_code, "retired"),
        (second_code, "encoded"),
    ]
    journal = field_environment / f"batch-{batch}.jsonl"
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    released = [r for r in records if r.get("event") == "released"]
    assert [(r["code"], r["uid"]) for r in released] == [(first_code, lost.uid.hex().upper())]
    # The server refuses to release a finished sticker's code: that is the portal's retire.
    refused = api(live, "POST", "/releases", json={"code": second_code})
    assert refused.status_code == 409 and "finished" in refused.json()["error"]["message"]
