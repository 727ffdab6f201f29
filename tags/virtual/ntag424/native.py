"""Native NTAG 424 DNA commands (CLA 90h), answered with 91h and a status byte.

Any refusal also ends the authenticated session, as the chip does. In a session, every command
counts (CmdCtr goes up) whatever its CommMode, except GetVersion, answered in plain here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tags.ntag424 import apdu, ev2
from tags.ntag424.aes import BLOCK, KEY_BYTES, xor
from tags.ntag424.facts import (
    NDEF_FILE,
    VERSION_BATCH_WEEK_YEAR,
    VERSION_HARDWARE,
    VERSION_SOFTWARE,
)
from tags.ntag424.filesettings import FREE, CommMode, FileSettings, FileSettingsError
from tags.ntag424.keys import APP_MASTER_KEY, KEY_COUNT
from tags.virtual.ntag424 import sdm
from tags.virtual.ntag424.secure import ChipSession, Refusal

if TYPE_CHECKING:
    from tags.virtual.ntag424.application import Ntag424Application

Answer = tuple[int, bytes]
DATA_HEADER = 7  # file number, 3-byte offset, 3-byte length


def process(app: Ntag424Application, command: bytes) -> bytes:
    """Answer one native command APDU."""
    ins = command[1]
    pending, app.state.pending = app.state.pending, None
    try:
        data = _data(command)
        if ins == apdu.ADDITIONAL_FRAME:
            if pending is None:
                raise Refusal(apdu.ILLEGAL_COMMAND)
            status, answer = pending(data)
        else:
            handler = HANDLERS.get(ins)
            if handler is None:
                raise Refusal(apdu.ILLEGAL_COMMAND)
            status, answer = handler(app, data)
    except Refusal as refusal:
        app.forget_authentication()
        return bytes([apdu.NATIVE_SW1, refusal.status])
    return answer + bytes([apdu.NATIVE_SW1, status])


def _data(command: bytes) -> bytes:
    """The data of 90 INS 00 00 [Lc data] 00, or LENGTH_ERROR."""
    if command[2:4] != b"\x00\x00":
        raise Refusal(apdu.PARAMETER_ERROR)
    if len(command) == 5:
        return b""
    length = command[4]
    if len(command) != 6 + length:
        raise Refusal(apdu.LENGTH_ERROR)
    return command[5 : 5 + length]


def _session(app: Ntag424Application) -> ChipSession:
    if app.state.session is None:
        raise Refusal(apdu.AUTHENTICATION_ERROR)
    return app.state.session


def _key_number(number: int) -> int:
    if not 0 <= number < KEY_COUNT:
        raise Refusal(apdu.NO_SUCH_KEY)
    return number


def get_version(app: Ntag424Application, data: bytes) -> Answer:
    """60: hardware, software and production data, in three frames."""
    if data:
        raise Refusal(apdu.LENGTH_ERROR)
    production = app.sticker.uid + VERSION_BATCH_WEEK_YEAR

    def software(more: bytes) -> Answer:
        app.state.pending = lambda last: (apdu.OK, production)
        return apdu.MORE, VERSION_SOFTWARE

    app.state.pending = software
    return apdu.MORE, VERSION_HARDWARE


def authenticate_ev2_first(app: Ntag424Application, data: bytes) -> Answer:
    """71: first part of the 3-pass authentication; the second comes as AF."""
    app.forget_authentication()
    if not app.state.application_selected:
        raise Refusal(apdu.PERMISSION_DENIED)
    if len(data) < 2 or len(data) != 2 + data[1]:
        raise Refusal(apdu.LENGTH_ERROR)
    key_no = _key_number(data[0])
    if app.sticker.lrp:
        # NT4H2421Gx §9, Table 19: AES asked of a chip in LRP mode is refused so. (A real chip
        # would accept AuthenticateLRPFirst; this one speaks no LRP, nor does TapTrail.)
        raise Refusal(apdu.PERMISSION_DENIED)
    key = app.sticker.keys[key_no]
    rnd_b = app.random(BLOCK)

    def second_part(answer: bytes) -> Answer:
        if len(answer) != 2 * BLOCK:
            raise Refusal(apdu.LENGTH_ERROR)
        try:
            rnd_a = ev2.check_answer(key, rnd_b, answer)
        except ev2.AuthenticationError:
            raise Refusal(apdu.AUTHENTICATION_ERROR) from None
        ti = app.random(ev2.TI_BYTES)
        session = ev2.open_session(key, key_no, ti, rnd_a, rnd_b)
        app.state.session = ChipSession(session)
        return apdu.OK, ev2.confirmation(key, ti, rnd_a)

    app.state.pending = second_part
    return apdu.MORE, ev2.challenge(key, rnd_b)


def change_key(app: Ntag424Application, data: bytes) -> Answer:
    """C4: change a key (needs key 0); changing key 0 itself ends the session."""
    session = _session(app)
    if session.session.key_no != APP_MASTER_KEY:
        raise Refusal(apdu.PERMISSION_DENIED)
    header, plain = session.open(apdu.CHANGE_KEY, data, 1, CommMode.FULL)
    key_no = _key_number(header[0])
    sticker = app.sticker
    ends_session = key_no == session.session.key_no
    if ends_session:
        if len(plain) != KEY_BYTES + 1:
            raise Refusal(apdu.LENGTH_ERROR)
        new_key = plain[:KEY_BYTES]
    else:
        if len(plain) != KEY_BYTES + 5:
            raise Refusal(apdu.LENGTH_ERROR)
        new_key = xor(plain[:KEY_BYTES], sticker.keys[key_no])
        if plain[KEY_BYTES + 1 :] != apdu.crc32nk(new_key):
            raise Refusal(apdu.INTEGRITY_ERROR)
    app.count_write()
    sticker.keys[key_no] = new_key
    sticker.key_versions[key_no] = plain[KEY_BYTES]
    if ends_session:
        app.forget_authentication()  # the session's key is gone: no MAC on this answer
        return apdu.OK, b""
    return apdu.OK, session.seal(b"", CommMode.MAC)


def _command_in_mode(
    app: Ntag424Application, ins: int, data: bytes, header: int, mode: CommMode
) -> tuple[ChipSession | None, bytes, bytes]:
    """The session (if any), header and data of a command that is `mode` when authenticated."""
    session = app.state.session
    if session is None:
        return None, data[:header], data[header:]
    return session, *session.open(ins, data, header, mode)


def _answer(session: ChipSession | None, data: bytes, mode: CommMode) -> Answer:
    return apdu.OK, data if session is None else session.seal(data, mode)


def get_key_version(app: Ntag424Application, data: bytes) -> Answer:
    """64: the version of a key (CommMode.MAC in a session, plain otherwise)."""
    session, header, rest = _command_in_mode(app, apdu.GET_KEY_VERSION, data, 1, CommMode.MAC)
    if len(header) != 1 or rest:
        raise Refusal(apdu.LENGTH_ERROR)
    if not app.state.application_selected:
        raise Refusal(apdu.PERMISSION_DENIED)
    version = app.sticker.key_versions[_key_number(header[0])]
    return _answer(session, bytes([version]), CommMode.MAC)


def get_file_settings(app: Ntag424Application, data: bytes) -> Answer:
    """F5: a file's settings (CommMode.MAC in a session, plain otherwise)."""
    session, header, rest = _command_in_mode(app, apdu.GET_FILE_SETTINGS, data, 1, CommMode.MAC)
    if len(header) != 1 or rest:
        raise Refusal(apdu.LENGTH_ERROR)
    return _answer(session, app.settings(header[0]).encode_get(), CommMode.MAC)


def change_file_settings(app: Ntag424Application, data: bytes) -> Answer:
    """5F: new settings for a file (needs its Change key; CommMode.FULL in a session)."""
    if not data:
        raise Refusal(apdu.LENGTH_ERROR)
    number = data[0]
    current = app.settings(number)
    session = app.state.session
    if session is not None and session.session.key_no == current.access.change:
        _, plain = session.open(apdu.CHANGE_FILE_SETTINGS, data, 1, CommMode.FULL)
        mode = CommMode.FULL
    elif current.access.change == FREE:
        plain, mode = data[1:], CommMode.PLAIN
    else:
        raise Refusal(apdu.AUTHENTICATION_ERROR)
    try:
        new = FileSettings.decode_change(plain, size=current.size)
    except FileSettingsError:
        raise Refusal(apdu.PARAMETER_ERROR) from None
    if not sdm.settings_allowed(number, new, current.size or 0):
        raise Refusal(apdu.PARAMETER_ERROR)
    app.count_write()
    if current.sdm is None and new.sdm is not None:
        app.sticker.sdm_read_counter = 0  # enabling SDM resets the counter
    app.sticker.settings[number] = new
    if number == NDEF_FILE:
        app.state.image = None
    return _answer(session, b"", mode)


def _data_command(
    app: Ntag424Application, ins: int, data: bytes, write: bool
) -> tuple[ChipSession | None, CommMode, int, int, int, bytes]:
    if len(data) < DATA_HEADER:
        raise Refusal(apdu.LENGTH_ERROR)
    mode = app.data_mode(data[0], write)
    session, header, rest = _command_in_mode(app, ins, data, DATA_HEADER, mode)
    offset = int.from_bytes(header[1:4], "little")
    length = int.from_bytes(header[4:7], "little")
    return session, mode, header[0], offset, length, rest


def read_data(app: Ntag424Application, data: bytes) -> Answer:
    """AD: read a file (length 0: to its end), in the CommMode the access gives."""
    session, mode, number, offset, length, rest = _data_command(app, apdu.READ_DATA, data, False)
    if rest:
        raise Refusal(apdu.LENGTH_ERROR)
    size = len(app.sticker.files[number])
    if length == 0:
        length = max(0, size - offset)
    return _answer(session, app.read(number, offset, length), mode)


def write_data(app: Ntag424Application, data: bytes) -> Answer:
    """8D: write a file, in the CommMode the access gives."""
    session, mode, number, offset, length, rest = _data_command(app, apdu.WRITE_DATA, data, True)
    if len(rest) != length or not length:
        raise Refusal(apdu.LENGTH_ERROR)
    app.write(number, offset, rest)
    return _answer(session, b"", mode)


def get_card_uid(app: Ntag424Application, data: bytes) -> Answer:
    """51: the UID, encrypted (CommMode.FULL), in a session only."""
    session = _session(app)
    header, rest = session.open(apdu.GET_CARD_UID, data, 0, CommMode.FULL)
    if header or rest:
        raise Refusal(apdu.LENGTH_ERROR)
    return apdu.OK, session.seal(app.sticker.uid, CommMode.FULL)


HANDLERS = {
    apdu.GET_VERSION: get_version,
    apdu.AUTHENTICATE_EV2_FIRST: authenticate_ev2_first,
    apdu.CHANGE_KEY: change_key,
    apdu.GET_KEY_VERSION: get_key_version,
    apdu.GET_FILE_SETTINGS: get_file_settings,
    apdu.CHANGE_FILE_SETTINGS: change_file_settings,
    apdu.READ_DATA: read_data,
    apdu.WRITE_DATA: write_data,
    apdu.GET_CARD_UID: get_card_uid,
}
