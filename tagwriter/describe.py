"""Everything `tagwriter read` tells about a sticker, as plain data."""

from __future__ import annotations

from typing import Any

from tags.ndef import NdefFormatError
from tags.originality import NXP_NTAG21X_PUBLIC_KEY, VIRTUAL_PUBLIC_KEY, verify_signature
from tags.urls import MirrorMode
from tagwriter.link import Nak, NoAnswer, TagLink
from tagwriter.memory import Snapshot, read_snapshot

CC_WRITE_NONE = 0x0F


def describe(link: TagLink, virtual_key: bool = False) -> dict[str, Any]:
    """Chip, UID, capacity, URL, locks, password, mirror, counter and signature of a sticker.

    `virtual_key` also accepts the practice reader's virtual manufacturer key as genuine.
    """
    profile = link.profile
    info: dict[str, Any] = {
        "chip": profile.name,
        "uid": link.uid.hex().upper(),
        "user_bytes": profile.user_bytes,
        "ndef_bytes": profile.ndef_area_bytes,
    }
    try:
        snapshot = read_snapshot(link)
    except (Nak, NoAnswer):
        link.reactivate()
        info.update(content="hidden", url=None, read_protected=True)
    else:
        info.update(_content(snapshot), **_settings(snapshot))
        if snapshot.config.nfc_cnt_en:
            info["counter"]["value"] = link.counter()
    info["signature"] = _signature(link, virtual_key)
    return info


def _content(snapshot: Snapshot) -> dict[str, Any]:
    try:
        url = snapshot.url()
    except NdefFormatError as error:
        return {"content": "other", "url": None, "problem": str(error)}
    return {"content": "blank" if url is None else "url", "url": url}


def _settings(snapshot: Snapshot) -> dict[str, Any]:
    config, locked = snapshot.config, snapshot.locked_pages
    mirror = None
    if config.mirror_conf:
        mirror = {
            "mode": MirrorMode[config.mirror_conf.name].value,
            "page": config.mirror_page,
            "byte": config.mirror_byte,
        }
    return {
        "read_protected": config.prot and snapshot.protected_from is not None,
        "locked": {
            "pages": len(locked),
            "read_only": snapshot.cc[3] & 0x0F == CC_WRITE_NONE,
            "config": config.cfglck,
        },
        "password": {
            "protected_from_page": snapshot.protected_from,
            "reads_too": config.prot,
            "attempts_limit": config.authlim or None,
        },
        "mirror": mirror,
        "counter": {"enabled": config.nfc_cnt_en, "value": None},
    }


def _signature(link: TagLink, virtual_key: bool) -> dict[str, Any]:
    signature = link.signature()
    if signature is None:
        return {"valid": False, "by": None}
    keys = [("NXP", NXP_NTAG21X_PUBLIC_KEY)]
    if virtual_key:
        keys.append(("virtual practice key", VIRTUAL_PUBLIC_KEY))
    for name, key in keys:
        if verify_signature(link.uid, signature, key):
            return {"valid": True, "by": name}
    return {"valid": False, "by": None}
