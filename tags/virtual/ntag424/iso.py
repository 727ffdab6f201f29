"""ISO/IEC 7816-4 commands of the NTAG 424 DNA: ISOSelectFile, ISOReadBinary, ISOUpdateBinary.

They travel in plain only. Selecting an application (by DF name, or 3F00h / E110h) forgets any
authentication; selecting a file (E103h, E104h, E105h) does not. A file behind a key is read or
written only after authentication with that key and only if its CommMode is plain. In a session
they leave the command counter alone (the documents we could read do not say; a choice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tags.ntag424 import apdu
from tags.ntag424.facts import APPLICATION_FID, FILE_IDS, MASTER_FILE_FID, NDEF_APPLICATION
from tags.ntag424.filesettings import CommMode
from tags.virtual.ntag424.secure import Refusal

if TYPE_CHECKING:
    from tags.virtual.ntag424.application import Ntag424Application

SELECT_EF_UNDER_DF = 0x02
SHORT_FILE_ID = 0x80
SHORT_LE_MAX = 256


def process(app: Ntag424Application, command: bytes) -> bytes:
    """Answer one ISO command APDU."""
    ins, p1, p2, body = command[1], command[2], command[3], command[4:]
    handler = {
        apdu.ISO_SELECT_FILE: select_file,
        apdu.ISO_READ_BINARY: read_binary,
        apdu.ISO_UPDATE_BINARY: update_binary,
    }.get(ins)
    if handler is None:
        return apdu.SW_INS_NOT_SUPPORTED
    return handler(app, p1, p2, body)


def _data_and_le(body: bytes) -> tuple[bytes, int | None] | None:
    """Split Lc, data and Le of a short APDU body; None if the lengths do not add up."""
    if not body:
        return b"", None
    if len(body) == 1:
        return b"", body[0] or SHORT_LE_MAX
    length = body[0]
    if len(body) == 1 + length:
        return body[1:], None
    if len(body) == 2 + length:
        return body[1 : 1 + length], body[-1] or SHORT_LE_MAX
    return None


def select_file(app: Ntag424Application, p1: int, p2: int, body: bytes) -> bytes:
    """A4: select the application (by DF name or file id) or one of its files."""
    parts = _data_and_le(body)
    if parts is None:
        return apdu.SW_WRONG_LENGTH
    data, _ = parts
    if p2 not in (0x00, apdu.NO_RESPONSE_DATA):
        return apdu.SW_WRONG_P1_P2
    state = app.state
    if p1 == apdu.SELECT_BY_DF_NAME:
        if data != NDEF_APPLICATION:
            return apdu.SW_FILE_NOT_FOUND
        return _select_application(app, True)
    if p1 not in (apdu.SELECT_BY_FILE_ID, SELECT_EF_UNDER_DF):
        return apdu.SW_WRONG_P1_P2
    if data == MASTER_FILE_FID:
        return _select_application(app, False)
    if data == APPLICATION_FID:
        return _select_application(app, True)
    number = next((n for n, fid in FILE_IDS.items() if fid == data), None)
    if number is None or not state.application_selected:
        return apdu.SW_FILE_NOT_FOUND
    state.current_file = number
    return apdu.SW_OK


def _select_application(app: Ntag424Application, selected: bool) -> bytes:
    app.forget_authentication()
    app.state.application_selected = selected
    app.state.current_file = None
    return apdu.SW_OK


def _file_and_offset(app: Ntag424Application, p1: int, p2: int) -> tuple[int, int] | bytes:
    if p1 & SHORT_FILE_ID:
        number, offset = p1 & 0x1F, p2
        if number not in FILE_IDS or not app.state.application_selected:
            return apdu.SW_FILE_NOT_FOUND
        app.state.current_file = number
        return number, offset
    if app.state.current_file is None:
        return apdu.SW_NO_CURRENT_FILE
    return app.state.current_file, (p1 << 8) | p2


def _allowed(app: Ntag424Application, number: int, write: bool) -> bool:
    try:
        return app.data_mode(number, write) is CommMode.PLAIN
    except Refusal:
        return False


def read_binary(app: Ntag424Application, p1: int, p2: int, body: bytes) -> bytes:
    """B0: read from the current (or short-id) file; past the end answers 6282h with less."""
    place = _file_and_offset(app, p1, p2)
    if isinstance(place, bytes):
        return place
    number, offset = place
    if len(body) > 1:
        return apdu.SW_WRONG_LENGTH
    wanted = (body[0] or SHORT_LE_MAX) if body else SHORT_LE_MAX
    if not _allowed(app, number, write=False):
        return apdu.SW_SECURITY_NOT_SATISFIED
    size = len(app.sticker.files[number])
    if offset >= size:
        return apdu.SW_WRONG_OFFSET
    length = min(wanted, size - offset)
    try:
        data = app.read(number, offset, length)
    except Refusal:
        return apdu.SW_SECURITY_NOT_SATISFIED
    return data + (apdu.SW_OK if length == wanted else apdu.SW_END_OF_FILE)


def update_binary(app: Ntag424Application, p1: int, p2: int, body: bytes) -> bytes:
    """D6: write into the current (or short-id) file."""
    place = _file_and_offset(app, p1, p2)
    if isinstance(place, bytes):
        return place
    number, offset = place
    parts = _data_and_le(body)
    if parts is None or not parts[0]:
        return apdu.SW_WRONG_LENGTH
    if not _allowed(app, number, write=True):
        return apdu.SW_SECURITY_NOT_SATISFIED
    size = len(app.sticker.files[number])
    if offset >= size:
        return apdu.SW_WRONG_OFFSET
    try:
        app.write(number, offset, parts[0])
    except Refusal as refusal:
        return apdu.SW_MEMORY_FAILURE if refusal.status == apdu.MEMORY_ERROR else apdu.SW_FILE_FULL
    return apdu.SW_OK
