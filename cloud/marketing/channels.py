"""Notification channels behind one small Protocol, chosen by a config ``type:``.

``development`` keeps every message in memory (and the notifications log keeps them in the
database), so campaigns can be tried without sending anything. ``smtp`` imports smtplib
lazily; ``sms_webhook`` posts JSON to a provider's HTTP endpoint with httpx.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from cloud.marketing.exceptions import ChannelError

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    def send(self, address: str, subject: str, body: str) -> None:
        """Deliver or raise :class:`ChannelError`."""


@dataclass
class DevelopmentChannel:
    """Stores messages; ``fail_for`` addresses raise, to test failure handling."""

    name: str = "in_app"
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    def send(self, address: str, subject: str, body: str) -> None:
        if address in self.fail_for:
            raise ChannelError(f"development channel refuses {address}")
        self.sent.append((address, subject, body))


@dataclass
class SmtpChannel:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    name: str = "email"

    def send(self, address: str, subject: str, body: str) -> None:
        import smtplib
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, address, subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
                if self.username and self.password:
                    smtp.starttls()
                    smtp.login(self.username, self.password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"smtp: {exc}") from exc


@dataclass
class SmsWebhookChannel:
    url: str
    token: str
    name: str = "sms"

    def send(self, address: str, subject: str, body: str) -> None:
        import httpx

        try:
            res = httpx.post(
                self.url,
                json={"to": address, "text": body},
                timeout=10,
                headers={"Authorization": f"Bearer {self.token}"},
            )
            res.raise_for_status()
        except httpx.HTTPError as exc:
            raise ChannelError(f"sms webhook: {exc}") from exc


class DevelopmentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["development"] = Field(default="development", description="Store messages")
    channel: Literal["sms", "email", "in_app"] = Field(
        default="in_app", description="Which member channel it stands in for"
    )


class SmtpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["smtp"] = Field(description="E-mail through an SMTP relay")
    host: str = Field(description="SMTP host")
    port: int = Field(default=587, description="SMTP port")
    sender: str = Field(description="From address")
    username: str | None = Field(default=None, description="SMTP user")
    password: SecretStr | None = Field(default=None, description="SMTP password (env/file)")


class SmsWebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["sms_webhook"] = Field(description="SMS through a provider's HTTP API")
    url: str = Field(description="Provider endpoint")
    token: SecretStr = Field(description="Bearer token (env/file)")


ChannelConfig = Annotated[
    DevelopmentConfig | SmtpConfig | SmsWebhookConfig, Field(discriminator="type")
]


def build_channel(config: DevelopmentConfig | SmtpConfig | SmsWebhookConfig) -> Channel:
    if isinstance(config, SmtpConfig):
        pw = config.password.get_secret_value() if config.password else None
        return SmtpChannel(config.host, config.port, config.sender, config.username, pw)
    if isinstance(config, SmsWebhookConfig):
        return SmsWebhookChannel(config.url, config.token.get_secret_value())
    return DevelopmentChannel(name=config.channel)
