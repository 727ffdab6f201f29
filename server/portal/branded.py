"""The deployment's brand in what the portal sends: the name in its messages, the mail's sender
and subjects (server/services/branding.py holds the brand itself)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from server.services import branding
from server.services.mail import SmtpSettings

# Subjects of mails sent in the three languages at once; {service} is the brand's name.
ACCOUNT_SUBJECT = "Votre compte {service} / Uw {service}-account / Your {service} account"
RESET_SUBJECT = (
    "Nouveau mot de passe {service} / Nieuw {service}-wachtwoord / Your new {service} password"
)


def brand_name() -> str:
    """The service's name, as the deployment's brand says it."""
    return branding.of_app(current_app.extensions).service_name


def subject(template: str) -> str:
    """A three-language subject with the service's name."""
    return template.format(service=brand_name())


def mail_settings(config: dict[str, Any] | None = None) -> SmtpSettings | None:
    """TAPTRAIL_SMTP_* with the brand's name as the sender's, or None when mail is off."""
    return SmtpSettings.from_config(
        config if config is not None else current_app.config, display_name=brand_name()
    )
