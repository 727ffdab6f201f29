"""One NTAG 424 DNA in the field, through nfcpy's Type4Tag: APDUs, authentication, the session.

Every command of an authenticated session goes through the EV2 secure channel in the CommMode
the chip expects; any refusal ends the session on both sides, as the chip ends it on its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt4

from tags.ntag424 import apdu, ev2
from tags.ntag424.facts import NDEF_APPLICATION
from tags.ntag424.filesettings import CommMode, FileSettings, FileSettingsError
from tags.ntag424.securemessaging import IntegrityError, SecureChannel
from tagwriter.errors import ReaderError, StickerGone, StickerRefused

ISO_DEP = 0x20  # SAK bit: the chip speaks ISO/IEC 14443-4
TAKE_424 = "take an NTAG 424 DNA sticker"
# A chip switched to LRP mode (NXP AN12304, for good) refuses an AES AuthenticateEV2First with
# PERMISSION_DENIED (NT4H2421Gx datasheet §9, Table 19); TapTrail speaks AES mode only.
LRP_REFUSED = (
    "the chip refused AES authentication (permission denied): it was switched to LRP mode "
    "(NXP AN12304), which TapTrail does not support, and a chip never leaves LRP mode; put it "
    "aside and take an NTAG 424 DNA in its factory AES mode"
)
MAX_RESPONSE = 256
REACTIVATIONS = 5


class ChipRefused(StickerRefused):
    """The chip answered a native command with an error status."""

    def __init__(self, ins: int, status: int) -> None:
        reason = apdu.STATUS_TEXT.get(status, f"status 91{status:02X}h")
        super().__init__(f"the sticker refused command {ins:02X}h: {reason}")
        self.status = status


def activate(
    clf: nfc.ContactlessFrontend,
    uid: bytes | None = None,
    random: Callable[[int], bytes] = os.urandom,
) -> Card:
    """Switch the field on afresh and activate the sticker (the one with `uid` if given).

    Tried a few times: one lost frame must not look like a pulled sticker.
    """
    for _attempt in range(REACTIVATIONS - 1):
        try:
            return _activate_once(clf, uid, random)
        except StickerGone:
            continue
    return _activate_once(clf, uid, random)


def _activate_once(
    clf: nfc.ContactlessFrontend, uid: bytes | None, random: Callable[[int], bytes]
) -> Card:
    target = nfc.clf.RemoteTarget("106A")
    if uid is not None:
        target.sel_req = bytearray(uid)
    try:
        found = clf.sense(target, iterations=1)
    except OSError:
        raise ReaderError("the reader stopped answering (unplugged?): plug it back in") from None
    if found is None or (uid is not None and bytes(found.sdd_res) != uid):
        raise StickerGone("the sticker left the reader")
    if not found.sel_res or not found.sel_res[0] & ISO_DEP:
        raise StickerRefused(
            f"this chip does not speak ISO-DEP, so it is no NTAG 424 DNA: {TAKE_424}"
        )
    tag = nfc.tag.activate(clf, found)
    if not isinstance(tag, nfc.tag.tt4.Type4Tag):
        raise StickerGone("the sticker did not finish its activation: hold it still and retry")
    return Card(tag, random)


class Card:
    """An activated NTAG 424 DNA and the commands personalisation needs."""

    def __init__(
        self, tag: nfc.tag.tt4.Type4Tag, random: Callable[[int], bytes] = os.urandom
    ) -> None:
        self.tag = tag
        self.uid = bytes(tag.identifier)
        self.random = random
        self.channel: SecureChannel | None = None

    def _exchange(self, cla: int, ins: int, p1: int, p2: int, data: bytes) -> bytes:
        try:
            answer = self.tag.send_apdu(cla, ins, p1, p2, data or None, MAX_RESPONSE, False)
        except (nfc.tag.TagCommandError, nfc.clf.CommunicationError):
            self.channel = None
            raise StickerGone("the sticker left the reader") from None
        return bytes(answer)

    def select_application(self) -> None:
        """ISOSelectFile of the NDEF application by its DF name (AN12196's APDU)."""
        self.channel = None  # selecting ends any session on the chip
        answer = self._exchange(
            apdu.ISO_CLA,
            apdu.ISO_SELECT_FILE,
            apdu.SELECT_BY_DF_NAME,
            apdu.NO_RESPONSE_DATA,
            NDEF_APPLICATION,
        )
        if answer != apdu.SW_OK:
            raise StickerRefused(f"this chip has no NDEF application: {TAKE_424}")

    def native(self, ins: int, data: bytes = b"") -> tuple[int, bytes]:
        """Send a native command as it is; return the status byte and the answer data."""
        answer = self._exchange(apdu.NATIVE_CLA, ins, 0x00, 0x00, data)
        if len(answer) < 2 or answer[-2] != apdu.NATIVE_SW1:
            raise StickerRefused(f"this chip does not answer NTAG 424 DNA commands: {TAKE_424}")
        return answer[-1], answer[:-2]

    def authenticate(self, key_no: int, key: bytes) -> None:
        """AuthenticateEV2First; ChipRefused with AUTHENTICATION_ERROR for a wrong key."""
        self.channel = None
        status, challenge = self.native(apdu.AUTHENTICATE_EV2_FIRST, bytes([key_no, 0]))
        if status == apdu.PERMISSION_DENIED:
            # Also the answer of a chip whose application is not selected (after a power-up the
            # tool did not see): selected again, a chip that still says so is in LRP mode.
            self.select_application()
            status, challenge = self.native(apdu.AUTHENTICATE_EV2_FIRST, bytes([key_no, 0]))
            if status == apdu.PERMISSION_DENIED:  # we ask for AES (no PCDCap2): LRP says this
                raise StickerRefused(LRP_REFUSED)
        if status != apdu.MORE:
            raise ChipRefused(apdu.AUTHENTICATE_EV2_FIRST, status)
        rnd_a = self.random(16)
        try:
            answer, rnd_b = ev2.answer_challenge(key, challenge, rnd_a)
            status, confirmation = self.native(apdu.ADDITIONAL_FRAME, answer)
            if status != apdu.OK:
                raise ChipRefused(apdu.AUTHENTICATE_EV2_FIRST, status)
            session = ev2.finish(key, key_no, rnd_a, rnd_b, confirmation)
        except ev2.AuthenticationError as error:
            raise StickerRefused(f"the chip failed authentication ({error}): {TAKE_424}") from None
        self.channel = SecureChannel(session)

    def command(
        self, ins: int, header: bytes = b"", data: bytes = b"", mode: CommMode = CommMode.FULL
    ) -> bytes:
        """A command in the session's CommMode `mode` (plain without a session); its answer."""
        channel = self.channel
        body = header + data if channel is None else channel.wrap(ins, header, data, mode)
        status, answer = self.native(ins, body)
        if status != apdu.OK:
            self.channel = None
            raise ChipRefused(ins, status)
        if channel is None:
            return answer
        try:
            return channel.unwrap(status, answer, mode)
        except IntegrityError as error:
            self.channel = None
            raise StickerRefused(
                f"the sticker's answer failed its check ({error}): retry"
            ) from None

    def get_key_version(self, key_no: int) -> int:
        """GetKeyVersion: 0 for a factory key."""
        answer = self.command(apdu.GET_KEY_VERSION, bytes([key_no]), mode=CommMode.MAC)
        if len(answer) != 1:
            raise StickerRefused(f"GetKeyVersion answered {len(answer)} bytes: {TAKE_424}")
        return answer[0]

    def get_file_settings(self, number: int) -> FileSettings:
        """GetFileSettings of one file."""
        answer = self.command(apdu.GET_FILE_SETTINGS, bytes([number]), mode=CommMode.MAC)
        try:
            return FileSettings.decode_get(answer)
        except FileSettingsError as error:
            raise StickerRefused(f"the file settings make no sense ({error}): {TAKE_424}") from None

    def change_file_settings(self, number: int, settings: FileSettings) -> None:
        """ChangeFileSettings (CommMode.FULL)."""
        self.command(apdu.CHANGE_FILE_SETTINGS, bytes([number]), settings.encode_change())

    def change_key(
        self, key_no: int, new_key: bytes, version: int, old_key: bytes | None = None
    ) -> None:
        """ChangeKey; changing the session's own key ends the session (no MAC comes back)."""
        assert self.channel is not None, "ChangeKey needs authentication with key 0"
        own = key_no == self.channel.session.key_no
        data = apdu.change_key_data(key_no, self.channel.session.key_no, new_key, version, old_key)
        if not own:
            self.command(apdu.CHANGE_KEY, bytes([key_no]), data)
            return
        body = self.channel.wrap(apdu.CHANGE_KEY, bytes([key_no]), data)
        self.channel = None
        status, _ = self.native(apdu.CHANGE_KEY, body)
        if status != apdu.OK:
            raise ChipRefused(apdu.CHANGE_KEY, status)

    def write_data(self, number: int, offset: int, data: bytes, mode: CommMode) -> None:
        """WriteData in the CommMode the file's access gives."""
        header = bytes([number]) + apdu.offset(offset) + apdu.offset(len(data))
        self.command(apdu.WRITE_DATA, header, data, mode)

    def read_data(
        self, number: int, offset: int = 0, length: int = 0, mode: CommMode = CommMode.PLAIN
    ) -> bytes:
        """ReadData (length 0: to the end of the file)."""
        header = bytes([number]) + apdu.offset(offset) + apdu.offset(length)
        return self.command(apdu.READ_DATA, header, mode=mode)
