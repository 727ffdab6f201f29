"""The memory image of a factory-fresh NTAG213/215/216, page by page as NXP delivers it."""

from __future__ import annotations

from tags.chips import CC_PAGE, FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.virtual.uid import bcc0, bcc1, check_uid

# Byte 1 of page 2, "internal", reads 48h on NTAG21x.
INTERNAL_BYTE = 0x48


def factory_memory(profile: ChipProfile, uid: bytes) -> bytearray:
    """Pages 0 to the last page: UID and BCCs, open locks, CC, factory TLVs, zeros, defaults."""
    uid = check_uid(uid)
    memory = bytearray(profile.total_pages * PAGE_SIZE)
    memory[0:4] = uid[0:3] + bytes([bcc0(uid)])
    memory[4:8] = uid[3:7]
    memory[8:12] = bytes([bcc1(uid), INTERNAL_BYTE, 0x00, 0x00])
    memory[CC_PAGE * PAGE_SIZE : (CC_PAGE + 1) * PAGE_SIZE] = profile.capability_container
    user = FIRST_USER_PAGE * PAGE_SIZE
    memory[user : user + len(profile.factory_user_data)] = profile.factory_user_data
    memory[profile.dynamic_lock_page * PAGE_SIZE :] = profile.factory_config
    return memory
