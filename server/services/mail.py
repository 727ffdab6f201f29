"""Sending mail through the SMTP server in TAPTRAIL_SMTP_* (plain smtplib; nothing when unset)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: host, port, sender, optional login and TLS mode."""

    host: str
    port: int = 587
    sender: str = "TapTrail <no-reply@localhost>"
    user: str | None = None
    password: str | None = None
    tls: str = "starttls"  # "starttls", "ssl" or "none" (a local relay)
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings | None:
        """The settings from an app config, or None when SMTP_HOST is not set."""
        host = config.get("SMTP_HOST")
        if not host:
            return None
        tls = str(config.get("SMTP_TLS") or "starttls").lower()
        if tls not in ("starttls", "ssl", "none"):
            raise MailError("TAPTRAIL_SMTP_TLS must be starttls, ssl or none")
        return cls(
            host=str(host),
            port=int(config.get("SMTP_PORT") or (465 if tls == "ssl" else 587)),
            sender=str(config.get("SMTP_FROM") or cls.sender),
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            tls=tls,
        )


def send(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or MailError saying why not."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    try:
        if settings.tls == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{settings.host}:{settings.port}: {error}") from None
