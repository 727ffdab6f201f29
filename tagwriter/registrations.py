"""Registering written stickers with the server, now or later from the journal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tagwriter.client import Client, ServerError, ServerUnreachable, TokenRefused
from tagwriter.journal import Journal


@dataclass
class Sent:
    """What one round of registrations achieved."""

    registered: int = 0
    refused: list[str] = field(default_factory=list)  # the server's messages
    waiting: int = 0


def register(journal: Journal, client: Client, record: dict[str, Any]) -> str | None:
    """Register one done sticker; None if accepted, else the server's refusal (journaled).

    ServerUnreachable and TokenRefused are raised: the registration keeps waiting.
    """
    code, uid = record["code"], record["uid"]
    try:
        status = client.register(code, uid, record["chip"], record["encoded_at"])
    except (ServerUnreachable, TokenRefused):
        raise
    except ServerError as error:
        journal.append(
            {"event": "registration_refused", "code": code, "uid": uid, "message": str(error)}
        )
        return str(error)
    journal.append({"event": "registered", "code": code, "uid": uid, "status": status})
    return None


def send_waiting(journal: Journal, client: Client) -> Sent:
    """Send every registration the journal still holds; stop at the first unreachable server."""
    sent = Sent()
    waiting = journal.waiting_registrations()
    for index, record in enumerate(waiting):
        try:
            refusal = register(journal, client, record)
        except ServerUnreachable:
            sent.waiting = len(waiting) - index
            return sent
        if refusal is None:
            sent.registered += 1
        else:
            sent.refused.append(f"{record['code']} on {record['uid']}: {refusal}")
    return sent
