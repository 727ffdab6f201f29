"""The audit log: who changed what and when, with each changed field's before and after."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from server.models import AuditEntry


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text, enums by value)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def snapshot(row: object, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a row, as plain values."""
    return {name: plain(getattr(row, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if plain(before.get(name)) != plain(value)
    }


def record(
    session: Session,
    user_id: int | None,
    action: str,
    target: tuple[str, int | None],
    summary: str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry; `target` is (type, id), e.g. ("shop", 12); `user_id` None: the CLI."""
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        target_type=target[0],
        target_id=target[1],
        summary=summary[:200],
        changes=plain(dict(changes or {})),
    )
    session.add(entry)
    return entry
