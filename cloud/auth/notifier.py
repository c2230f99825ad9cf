"""How password-reset mail leaves the cloud: SMTP in production, a logged DB outbox in development.

The notifier gets the caller's session so the development outbox row commits (or rolls back)
together with the reset token it carries.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from cloud.auth.models import OutboxMail
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Notifier(Protocol):
    def send(self, mail: Mail, session: Session, now: datetime) -> None: ...


class OutboxNotifier:
    """Development: log the mail and keep it in ``outbox_mail``."""

    def send(self, mail: Mail, session: Session, now: datetime) -> None:
        log.info("mail to %s: %s", mail.to, mail.subject)
        session.add(OutboxMail(to=mail.to, subject=mail.subject, body=mail.body, created_at=now))


class SmtpNotifier:
    """Production: ``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://``."""

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"not an smtp:// or smtps:// URL: {url!r}")
        self.ssl = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.ssl else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def send(self, mail: Mail, session: Session, now: datetime) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        msg.set_content(mail.body)
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
            if self.ssl
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        )
        with client:
            client.ehlo()
            if not self.ssl and client.has_extn("starttls"):
                client.starttls()
                client.ehlo()
            if self.user is not None:
                client.login(self.user, self.password or "")
            client.send_message(msg)
        log.info("mail sent to %s via %s:%s", mail.to, self.host, self.port)


def notifier_from_settings(settings: CloudSettings) -> Notifier:
    if settings.smtp_url:
        return SmtpNotifier(settings.smtp_url, settings.mail_from)
    return OutboxNotifier()
