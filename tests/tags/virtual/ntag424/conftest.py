"""A virtual NTAG 424 DNA driven frame by frame, as nfcpy's udp driver and ISO-DEP code do."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pytest

from tags.ntag424 import apdu, ev2
from tags.ntag424.filesettings import CommMode
from tags.ntag424.securemessaging import SecureChannel
from tags.virtual.ntag424.chip import Ntag424Chip, State
from tags.virtual.ntag424.sticker import Ntag424Sticker

SELECT_APPLICATION = bytes.fromhex("00A4040C07D276000085010100")  # AN12196's ISOSelectFile


class Scripted:
    """The chip's random source, giving NXP's example values in turn, then zeros."""

    def __init__(self, values: Iterable[bytes]) -> None:
        self.values = list(values)

    def __call__(self, size: int) -> bytes:
        if self.values:
            value = self.values.pop(0)
            assert len(value) == size, f"the chip drew {size} bytes, the script has {len(value)}"
            return value
        return bytes(size)


class Terminal:
    """Activates the chip, then sends APDUs in I-blocks with nfcpy's block numbering."""

    def __init__(self, chip: Ntag424Chip) -> None:
        self.chip = chip
        self.block_number = 0

    def activate(self) -> bytes:
        """Field on, REQA, both cascade levels, RATS (FSD 256); returns the ATS."""
        chip = self.chip
        chip.power_off()
        chip.power_on()
        uid = chip.sticker.uid
        assert chip.handle(b"\x26") == bytes.fromhex("4403")
        cl1 = bytes([0x88]) + uid[:3] + bytes([0x88 ^ uid[0] ^ uid[1] ^ uid[2]])
        assert chip.handle(b"\x93\x20") == cl1
        assert chip.handle(b"\x93\x70" + cl1) == b"\x04"
        cl2 = uid[3:] + bytes([uid[3] ^ uid[4] ^ uid[5] ^ uid[6]])
        assert chip.handle(b"\x95\x20") == cl2
        assert chip.handle(b"\x95\x70" + cl2) == b"\x20"
        self.block_number = 0
        ats = chip.handle(b"\xe0\x80")
        assert chip.state is State.PROTOCOL
        return ats

    def send(self, command: bytes) -> bytes:
        """One APDU in one I-block; the whole answer, following the chip's chaining."""
        answer = self.chip.handle(bytes([0x02 | self.block_number]) + command)
        assert answer is not None and answer[0] & 0x01 == self.block_number
        data = answer[1:]
        while answer[0] & 0x10:
            self.block_number ^= 1
            answer = self.chip.handle(bytes([0xA2 | self.block_number]))
            assert answer is not None
            data += answer[1:]
        self.block_number ^= 1
        return data


@pytest.fixture
def sticker() -> Ntag424Sticker:
    """A factory-fresh NTAG 424 DNA."""
    return Ntag424Sticker.blank()


@pytest.fixture
def terminal(sticker: Ntag424Sticker) -> Terminal:
    """The sticker's chip, activated, with the NDEF application selected."""
    terminal = Terminal(Ntag424Chip(sticker))
    terminal.activate()
    assert terminal.send(SELECT_APPLICATION) == b"\x90\x00"
    return terminal


def authenticate(terminal: Terminal, key_no: int = 0, key: bytes = bytes(16)) -> SecureChannel:
    """AuthenticateEV2First from the reader's side; the channel for the commands that follow."""
    challenge = terminal.send(apdu.native(apdu.AUTHENTICATE_EV2_FIRST, bytes([key_no, 0])))
    assert challenge[-2:] == b"\x91\xaf"
    rnd_a = os.urandom(16)
    answer, rnd_b = ev2.answer_challenge(key, challenge[:-2], rnd_a)
    confirmation = terminal.send(apdu.native(apdu.ADDITIONAL_FRAME, answer))
    assert confirmation[-2:] == b"\x91\x00", "the chip refused the key"
    return SecureChannel(ev2.finish(key, key_no, rnd_a, rnd_b, confirmation[:-2]))


def secure(
    terminal: Terminal,
    channel: SecureChannel,
    ins: int,
    header: bytes = b"",
    data: bytes = b"",
    mode: CommMode = CommMode.FULL,
) -> bytes:
    """One command in the session; its answer data, or AssertionError with the status."""
    answer = terminal.send(apdu.native(ins, channel.wrap(ins, header, data, mode)))
    assert answer[-2:] == b"\x91\x00", f"status {answer[-2:].hex()}"
    return channel.unwrap(answer[-1], answer[:-2], mode)
