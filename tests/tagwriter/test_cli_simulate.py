"""`tagwriter simulate` as a field worker starts it, with nfcpy as the client."""

import json
import socket
import subprocess
import sys

import ndef as ndeflib

from tagwriter.cli import main
from tests.support.nfcpy_frontend import connect, frontend

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"


class Simulator:
    """`tagwriter simulate` in a subprocess, on a free port; q quits, and it is killed if not."""

    def __init__(self, *args):
        command = [sys.executable, "-m", "tagwriter.cli", "simulate", "--port", "0", *args]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.output = ""
        for line in self.process.stdout:
            self.output += line
            if line.startswith("virtual reader at "):
                self.path = line.split()[3]
                break

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if not pipe.closed:
                pipe.close()

    def quit(self):
        self.process.stdin.write("q\n")
        self.process.stdin.close()
        self.output += self.process.stdout.read()
        assert self.process.wait(timeout=10) == 0
        return self.output


def test_simulate_keeps_the_sticker_across_runs(tmp_path):
    state = tmp_path / "sticker.json"
    args = ("--chip", "ntag216", "--uid", "04E141124C2880", "--state", str(state))
    with Simulator(*args) as simulator:
        with frontend(simulator.path) as clf:
            tag = connect(clf)
            assert type(tag).__name__ == "NTAG216"
            tag.ndef.records = [ndeflib.UriRecord(URL)]
        simulator.quit()
    saved = json.loads(state.read_text())["stickers"]
    assert [s["uid"] for s in saved] == ["04E141124C2880"]
    with Simulator("--chip", "ntag216", "--state", str(state)) as simulator:
        with frontend(simulator.path) as clf:
            assert connect(clf).ndef.records[0].iri == URL
        assert "04E141124C2880" in simulator.quit()


def test_simulate_refuses_bad_settings_with_the_next_step(runner, tmp_path):
    result = runner.invoke(main, ["simulate", "--uid", "0411"])
    assert result.exit_code == 1
    assert "14 hex digits" in result.output and "--help" in result.output
    result = runner.invoke(main, ["simulate", "--drop-rate", "1.5"])
    assert result.exit_code == 1 and "probability" in result.output
    state = tmp_path / "state.json"
    state.write_text("{}")
    result = runner.invoke(main, ["simulate", "--state", str(state)])
    assert result.exit_code == 1 and "not a virtual sticker state file" in result.output


def test_simulate_says_when_the_port_is_taken(runner):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["simulate", "--port", str(port)], input="q\n")
    assert result.exit_code == 1
    assert "choose --port" in result.output
