"""Sending mail through the SMTP server in TAPTRAIL_SMTP_* (plain smtplib; nothing when unset)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
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
    def from_config(
        cls, config: dict[str, Any], display_name: str | None = None
    ) -> SmtpSettings | None:
        """The settings from an app config, or None when SMTP_HOST is not set; `display_name`
        (the brand's service name) names the sender unless TAPTRAIL_SMTP_FROM names one."""
        host = config.get("SMTP_HOST")
        if not host:
            return None
        tls = str(config.get("SMTP_TLS") or "starttls").lower()
        if tls not in ("starttls", "ssl", "none"):
            raise MailError("TAPTRAIL_SMTP_TLS must be starttls, ssl or none")
        return cls(
            host=str(host),
            port=int(config.get("SMTP_PORT") or (465 if tls == "ssl" else 587)),
            sender=_sender(str(config.get("SMTP_FROM") or cls.sender), display_name),
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            tls=tls,
        )


def _sender(configured: str, display_name: str | None) -> str:
    name, address = parseaddr(configured)
    if display_name and (not name or configured == SmtpSettings.sender):
        return formataddr((display_name, address))
    return configured


def send(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or MailError saying why not."""
    with Mailer(settings) as mailer:
        mailer.send(to, subject, body)


class Mailer:
    """Many messages over one SMTP connection (a member list's invitations), opened at the first
    one. Once the server could not be reached, later messages fail at once with the same error
    rather than each waiting for the timeout again; a connection lost midway is opened again."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _where(self, error: BaseException) -> str:
        return f"{self.settings.host}:{self.settings.port}: {error}"

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        try:
            if settings.tls == "ssl":
                context = ssl.create_default_context()
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=context
                )
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password or "")
        except (OSError, smtplib.SMTPException) as error:
            self._unreachable = self._where(error)
            raise MailError(self._unreachable) from None
        return client

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message, or MailError saying why not."""
        if self._unreachable is not None:
            raise MailError(self._unreachable)
        if self._client is None:
            self._client = self._open()
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.settings.sender, to, subject
        message.set_content(body)
        try:
            self._client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise MailError(self._where(error)) from None  # this message only
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection may be in any state: the next message opens another
            raise MailError(self._where(error)) from None

    def close(self) -> None:
        """End the connection, if one is open."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
            client.close()
