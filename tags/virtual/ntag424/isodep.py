"""ISO/IEC 14443-4 (ISO-DEP) on the chip's side: I-blocks with chaining, R-blocks, DESELECT.

The rules of ISO/IEC 14443-4 §7.5.4 that nfcpy relies on: the chip's block number starts at 1
and toggles when a block with the other number arrives; a command too long for one frame comes
in chained I-blocks, each acknowledged with R(ACK); an answer longer than the reader's frame
(FSD, from RATS, less the PCB and the CRC) goes out in chained I-blocks, the next one at each
R(ACK); an R(NAK) with the chip's number repeats the last block, with the other number it gets
an R(ACK) (nfcpy's presence check).
"""

from __future__ import annotations

from collections.abc import Callable

I_BLOCK = 0x02
CHAINING = 0x10
CID_FOLLOWS = 0x08
NAD_FOLLOWS = 0x04
BLOCK_NUMBER = 0x01
R_BLOCK_MASK = 0xE6  # R-blocks: 101x x01x
R_BLOCK = 0xA2
NAK = 0x10
S_DESELECT = 0xC2
FRAME_OVERHEAD = 3  # PCB and the 2-byte CRC
FSD_BY_FSDI = (16, 24, 32, 40, 48, 64, 96, 128, 256)


def fsd(rats_parameter: int) -> int:
    """The reader's frame size from the RATS parameter byte (FSDI above 8 means 256)."""
    return FSD_BY_FSDI[min(rats_parameter >> 4, 8)]


class IsoDep:
    """One ISO-DEP session, from RATS to DESELECT or the field going off."""

    def __init__(self, process: Callable[[bytes], bytes], frame_size: int) -> None:
        self.process = process
        self.max_information = frame_size - FRAME_OVERHEAD
        self.block_number = 1
        self.deselected = False
        self._command = bytearray()
        self._pending = b""
        self._last: bytes | None = None

    def block(self, frame: bytes) -> bytes | None:
        """Answer one block from the reader; None stays silent (a block the chip cannot read)."""
        if not frame:
            return None
        pcb = frame[0]
        cid = frame[1:2] if pcb & CID_FOLLOWS else b""
        body = frame[1 + len(cid) :]
        if pcb & 0xE2 == I_BLOCK:
            if pcb & NAD_FOLLOWS:
                body = body[1:]  # the NAD is accepted and not echoed
            return self._i_block(pcb, cid, body)
        if pcb & R_BLOCK_MASK == R_BLOCK:
            return self._r_block(pcb, cid)
        if pcb & 0xF7 == S_DESELECT:
            self.deselected = True
            return bytes([pcb]) + cid
        return None

    def _send(self, block: bytes) -> bytes:
        self._last = block
        return block

    def _toggle_if_other(self, pcb: int) -> bool:
        if pcb & BLOCK_NUMBER != self.block_number:
            self.block_number ^= 1
            return True
        return False

    def _i_block(self, pcb: int, cid: bytes, information: bytes) -> bytes:
        self._toggle_if_other(pcb)
        self._pending = b""
        self._command += information
        if pcb & CHAINING:
            return self._send(bytes([R_BLOCK | self.block_number | (pcb & CID_FOLLOWS)]) + cid)
        command, self._command = bytes(self._command), bytearray()
        return self._answer_part(self.process(command), cid)

    def _answer_part(self, answer: bytes, cid: bytes) -> bytes:
        room = self.max_information - len(cid)
        part, self._pending = answer[:room], answer[room:]
        pcb = I_BLOCK | self.block_number | (CHAINING if self._pending else 0)
        pcb |= CID_FOLLOWS if cid else 0
        return self._send(bytes([pcb]) + cid + part)

    def _r_block(self, pcb: int, cid: bytes) -> bytes | None:
        same_number = pcb & BLOCK_NUMBER == self.block_number
        if pcb & NAK:
            if same_number and self._last is not None:
                return self._last
            return self._send(bytes([R_BLOCK | self.block_number | (pcb & CID_FOLLOWS)]) + cid)
        if same_number:
            return self._last
        if self._pending:
            self.block_number ^= 1
            return self._answer_part(self._pending, cid)
        return None
