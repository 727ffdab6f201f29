"""A virtual NTAG 424 DNA sticker: what survives the field going off (keys, files, counter)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tags.ndef import decode_uri_message
from tags.ntag424.facts import (
    CC_FILE,
    FACTORY_CC,
    FACTORY_SETTINGS,
    NDEF_FILE,
    NTAG424DNA,
    Ntag424Profile,
)
from tags.ntag424.filesettings import FileSettings, FileSettingsError
from tags.ntag424.keys import FACTORY_KEY, FACTORY_VERSION, KEY_COUNT
from tags.ntag424.layout import NLEN_BYTES
from tags.ntag424.sun import COUNTER_MAX
from tags.virtual.sticker import StickerStateError, StickerStats
from tags.virtual.uid import check_uid, random_uid


@dataclass
class Ntag424Stats(StickerStats):
    """StickerStats, plus the activations in which the NDEF file was read since the last write.

    The field tool verifies a 424 by reading it in two activations (the counter must go up), so
    the sticker counts as read back only after the second.
    """

    activations_read: int = 0

    @property
    def read_back(self) -> bool:
        """Written, then read in two activations."""
        return self.writes > 0 and self.last_access == "read" and self.activations_read >= 2


@dataclass(eq=False)
class Ntag424Sticker:
    """One NTAG 424 DNA: UID, application keys and versions, files, settings, SDM read counter."""

    uid: bytes
    keys: list[bytes]
    key_versions: list[int]
    files: dict[int, bytearray]
    settings: dict[int, FileSettings]
    sdm_read_counter: int = 0
    # Switched to LRP mode (SetConfiguration, for good): AES authentication is refused. Only
    # the refusal is modelled; TapTrail does not support LRP (AN12304).
    lrp: bool = False
    stats: Ntag424Stats = field(default_factory=Ntag424Stats)

    profile: Ntag424Profile = NTAG424DNA

    @classmethod
    def blank(cls, uid: bytes | None = None) -> Ntag424Sticker:
        """A factory-fresh sticker; a random NXP UID unless `uid` is given."""
        uid = check_uid(uid) if uid is not None else random_uid()
        files = {
            number: bytearray(settings.size or 0) for number, settings in FACTORY_SETTINGS.items()
        }
        files[CC_FILE][:] = FACTORY_CC
        return cls(
            uid=uid,
            keys=[FACTORY_KEY] * KEY_COUNT,
            key_versions=[FACTORY_VERSION] * KEY_COUNT,
            files=files,
            settings=dict(FACTORY_SETTINGS),
        )

    def url(self) -> str:
        """The URL stored in the NDEF file (placeholders as written), or NdefFormatError."""
        data = bytes(self.files[NDEF_FILE])
        length = int.from_bytes(data[:NLEN_BYTES], "big")
        return decode_uri_message(data[NLEN_BYTES : NLEN_BYTES + length])

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the state file."""
        return {
            "chip": self.profile.key,
            "uid": self.uid.hex().upper(),
            "keys": [key.hex().upper() for key in self.keys],
            "key_versions": list(self.key_versions),
            "files": {str(n): data.hex().upper() for n, data in self.files.items()},
            "settings": {str(n): s.encode_get().hex().upper() for n, s in self.settings.items()},
            "sdm_read_counter": self.sdm_read_counter,
            "stats": asdict(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ntag424Sticker:
        """Rebuild a sticker saved by to_dict, or raise StickerStateError."""
        try:
            sticker = cls(
                uid=check_uid(bytes.fromhex(data["uid"])),
                keys=[bytes.fromhex(key) for key in data["keys"]],
                key_versions=[int(version) for version in data["key_versions"]],
                files={int(n): bytearray.fromhex(h) for n, h in data["files"].items()},
                settings={
                    int(n): FileSettings.decode_get(bytes.fromhex(h))
                    for n, h in data["settings"].items()
                },
                sdm_read_counter=int(data["sdm_read_counter"]),
                stats=Ntag424Stats(**data.get("stats", {})),
            )
        except (KeyError, TypeError, ValueError, FileSettingsError) as error:
            raise StickerStateError(f"not a saved NTAG 424 DNA: {error}") from None
        if len(sticker.keys) != KEY_COUNT or any(len(key) != 16 for key in sticker.keys):
            raise StickerStateError(f"a saved NTAG 424 DNA has {KEY_COUNT} keys of 16 bytes")
        if set(sticker.files) != set(FACTORY_SETTINGS) or set(sticker.settings) != set(
            FACTORY_SETTINGS
        ):
            raise StickerStateError("a saved NTAG 424 DNA has files 1, 2 and 3")
        if not 0 <= sticker.sdm_read_counter <= COUNTER_MAX:
            raise StickerStateError(f"SDM read counter {sticker.sdm_read_counter} is not 24 bits")
        return sticker
