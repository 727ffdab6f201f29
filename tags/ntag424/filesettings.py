"""File settings of the NTAG 424 DNA (NT4H2421Gx §10.7): access rights, CommMode and SDM options.

One layout serves ChangeFileSettings (what the reader sends) and GetFileSettings (what the chip
answers, with the file type and size in front). Multi-byte values go least significant byte
first: the access rights 00E0h of AN12196's examples read Read = E (free), Write = 0, ReadWrite
= 0, Change = 0; offsets are 3-byte little-endian positions in the file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

FREE = 0xE  # access condition: no authentication needed
NEVER = 0xF  # access condition: refused
OFFSET_BYTES = 3
SDM_ENABLED = 0x40  # FileOption bit 6
COMM_MODE_MASK = 0x03
# SDMOptions bits.
SDM_UID = 0x80
SDM_READ_CTR = 0x40
SDM_READ_CTR_LIMIT = 0x20
SDM_ENC_FILE_DATA = 0x10
SDM_ASCII = 0x01
STANDARD_DATA_FILE = 0x00


class CommMode(enum.IntEnum):
    """How a command's data travels once authenticated (NT4H2421Gx §8.2.3.5)."""

    PLAIN = 0x00
    MAC = 0x01
    FULL = 0x03


class FileSettingsError(ValueError):
    """File settings bytes are malformed."""


@dataclass(frozen=True)
class AccessRights:
    """Access conditions: a key number 0 to 4, FREE (Eh) or NEVER (Fh)."""

    read: int
    write: int
    read_write: int
    change: int

    def encode(self) -> bytes:
        """Two bytes, least significant first: RW and Change, then Read and Write."""
        return bytes([self.read_write << 4 | self.change, self.read << 4 | self.write])

    @classmethod
    def decode(cls, data: bytes) -> AccessRights:
        """Read the two bytes `encode` writes."""
        low, high = data[0], data[1]
        return cls(read=high >> 4, write=high & 0xF, read_write=low >> 4, change=low & 0xF)


@dataclass(frozen=True)
class SdmSettings:
    """Secure Dynamic Messaging: what is mirrored where, and under which keys.

    meta_read is the key of the encrypted PICC data (FREE: UID and counter in plain, NEVER: no
    mirror); file_read the key of the MAC and encrypted file data (NEVER: no MAC); counter_read
    the key that may read the counter with GetFileCounters.
    """

    meta_read: int
    file_read: int
    counter_read: int = NEVER
    uid: bool = True
    read_counter: bool = True
    picc_data_offset: int | None = None
    uid_offset: int | None = None
    read_counter_offset: int | None = None
    mac_input_offset: int | None = None
    enc_offset: int | None = None
    enc_length: int | None = None
    mac_offset: int | None = None
    read_counter_limit: int | None = None

    @property
    def options(self) -> int:
        """The SDMOptions byte (ASCII encoding always, the only one the chip offers)."""
        options = SDM_ASCII
        options |= SDM_UID if self.uid else 0
        options |= SDM_READ_CTR if self.read_counter else 0
        options |= SDM_READ_CTR_LIMIT if self.read_counter_limit is not None else 0
        options |= SDM_ENC_FILE_DATA if self.enc_offset is not None else 0
        return options

    def _fields(self) -> list[str]:
        """The offsets present, in the order the chip expects them."""
        fields = []
        if self.meta_read == FREE:
            fields += ["uid_offset"] if self.uid else []
            fields += ["read_counter_offset"] if self.read_counter else []
        elif self.meta_read != NEVER:
            fields.append("picc_data_offset")
        if self.file_read != NEVER:
            fields.append("mac_input_offset")
            if self.enc_offset is not None:
                fields += ["enc_offset", "enc_length"]
            fields.append("mac_offset")
        if self.read_counter_limit is not None:
            fields.append("read_counter_limit")
        return fields

    def encode(self) -> bytes:
        """SDMOptions, SDMAccessRights, then the 3-byte offsets that apply."""
        rights = bytes([0xF0 | self.counter_read, self.meta_read << 4 | self.file_read])
        data = bytes([self.options]) + rights
        for name in self._fields():
            value = getattr(self, name)
            if value is None:
                raise FileSettingsError(f"these SDM settings need {name.replace('_', ' ')}")
            data += value.to_bytes(OFFSET_BYTES, "little")
        return data

    @classmethod
    def decode(cls, data: bytes) -> tuple[SdmSettings, int]:
        """Read SDM settings from the start of `data`; return them and the bytes used."""
        if len(data) < 3:
            raise FileSettingsError("SDM settings need at least 3 bytes")
        options = data[0]
        settings = cls(
            meta_read=data[2] >> 4,
            file_read=data[2] & 0xF,
            counter_read=data[1] & 0xF,
            uid=bool(options & SDM_UID),
            read_counter=bool(options & SDM_READ_CTR),
            # Placeholders so that _fields knows which offsets follow.
            enc_offset=0 if options & SDM_ENC_FILE_DATA else None,
            read_counter_limit=0 if options & SDM_READ_CTR_LIMIT else None,
        )
        position = 3
        values: dict[str, Any] = {}  # offsets by field name, all of them int | None fields
        for name in settings._fields():
            chunk = data[position : position + OFFSET_BYTES]
            if len(chunk) != OFFSET_BYTES:
                raise FileSettingsError(f"the SDM settings end before {name.replace('_', ' ')}")
            values[name] = int.from_bytes(chunk, "little")
            position += OFFSET_BYTES
        return replace(settings, **values), position


@dataclass(frozen=True)
class FileSettings:
    """One file's settings; `size` is known from GetFileSettings only."""

    comm_mode: CommMode
    access: AccessRights
    sdm: SdmSettings | None = None
    size: int | None = None

    @property
    def file_option(self) -> int:
        """FileOption: SDM enabled (bit 6) and the CommMode (bits 1-0)."""
        return (SDM_ENABLED if self.sdm is not None else 0) | self.comm_mode

    def encode_change(self) -> bytes:
        """The data of ChangeFileSettings after the file number."""
        data = bytes([self.file_option]) + self.access.encode()
        return data + (self.sdm.encode() if self.sdm is not None else b"")

    def encode_get(self) -> bytes:
        """What GetFileSettings answers: file type, option, rights, size, SDM settings."""
        if self.size is None:
            raise FileSettingsError("GetFileSettings gives the file size: set it")
        head = bytes([STANDARD_DATA_FILE, self.file_option]) + self.access.encode()
        head += self.size.to_bytes(OFFSET_BYTES, "little")
        return head + (self.sdm.encode() if self.sdm is not None else b"")

    @classmethod
    def decode_change(cls, data: bytes, size: int | None = None) -> FileSettings:
        """Read ChangeFileSettings data (after the file number), or raise FileSettingsError."""
        return cls._decode(data, size)

    @classmethod
    def decode_get(cls, data: bytes) -> FileSettings:
        """Read a GetFileSettings answer, or raise FileSettingsError."""
        if len(data) < 7 or data[0] != STANDARD_DATA_FILE:
            raise FileSettingsError("not the settings of a standard data file")
        size = int.from_bytes(data[4:7], "little")
        return cls._decode(data[1:4] + data[7:], size)

    @classmethod
    def _decode(cls, data: bytes, size: int | None) -> FileSettings:
        if len(data) < 3:
            raise FileSettingsError("file settings need at least 3 bytes")
        option = data[0]
        try:
            comm_mode = CommMode(option & COMM_MODE_MASK)
        except ValueError:
            raise FileSettingsError(f"CommMode {option & COMM_MODE_MASK} does not exist") from None
        sdm = None
        used = 3
        if option & SDM_ENABLED:
            sdm, length = SdmSettings.decode(data[3:])
            used += length
        if used != len(data):
            raise FileSettingsError(f"file settings have {len(data) - used} bytes too many")
        return cls(comm_mode, AccessRights.decode(data[1:3]), sdm, size)


def data_comm_mode(settings: FileSettings, key_no: int | None, write: bool) -> CommMode | None:
    """How ReadData or WriteData on a file travels, or None if refused (NT4H2421Gx §8.2.3.5).

    Access granted by the authenticated key `key_no` uses the file's CommMode; free access goes
    in plain (and still counts as a command of the session).
    """
    rights = settings.access
    conditions = (rights.write if write else rights.read, rights.read_write)
    if key_no is not None and key_no in conditions:
        return settings.comm_mode
    if FREE in conditions:
        return CommMode.PLAIN
    return None
