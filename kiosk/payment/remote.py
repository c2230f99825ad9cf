"""What the network adapters (``wechatpay``, ``alipay``, ``card``) share: secrets read from a
file or the environment, money in minor units, and the "user paying" wait.

A wallet payment code can answer "the shopper is confirming" (WeChat ``USERPAYING``, Alipay
``WAIT_BUYER_PAY``): the shopper types a password on the phone. Both providers document the
same answer: query the order every few seconds until it settles or a deadline passes, then
reverse it (which the kiosk's payments part does on a ``timeout``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pydantic import Field

from edge.config import Strict
from edge.exceptions import ConfigError
from kiosk.payment.base import PaymentResult


class Secret(Strict):
    """A key kept out of the config and the logs: a file (PEM, a key file) or an environment
    variable. Exactly one of the two."""

    file: Path | None = Field(default=None, description="File holding the secret")
    env: str | None = Field(default=None, description="Environment variable holding it")

    def read(self, field: str) -> str:
        """The secret's text; a missing file or variable is a config error naming ``field``."""
        if (self.file is None) == (self.env is None):
            raise ConfigError(f"{field}: give exactly one of file or env")
        if self.file is not None:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"{field}.file: cannot read {self.file}: {exc}") from exc
        value = os.environ.get(str(self.env), "").strip()
        if not value:
            raise ConfigError(f"{field}.env: environment variable {self.env} is not set")
        return value

    def __repr__(self) -> str:  # the location, never the value
        return f"Secret(file={self.file}, env={self.env})"


class CodePayTimings(Strict):
    """The timing every payment-code provider's config carries (WeChat Pay, Alipay)."""

    http_timeout_s: float = Field(default=10, gt=0, le=60, description="One HTTP call")
    user_paying_timeout_s: float = Field(
        default=60, gt=0, le=600, description="How long the shopper may take to confirm"
    )
    poll_s: float = Field(default=3, gt=0, le=30, description="Query interval meanwhile")


def to_fen(amount: Decimal) -> int:
    """Yuan to fen (分), the unit WeChat Pay's JSON counts in."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(amount: Decimal) -> str:
    """Two decimals, the form Alipay and the card protocol take amounts in."""
    return format(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def wait_while_paying(
    query: Callable[[], PaymentResult],
    deadline_s: float,
    poll_s: float,
    stop: threading.Event | None = None,
) -> PaymentResult:
    """Query until the order leaves ``pending`` (the shopper confirmed, refused or the wallet
    closed it) or ``deadline_s`` passes: then ``timeout``, and the caller reverses it."""
    end = time.monotonic() + deadline_s
    waiter = stop or threading.Event()
    last = query()
    while last.status in ("pending", "unknown") and time.monotonic() < end:
        if waiter.wait(min(poll_s, max(0.0, end - time.monotonic()))):
            break
        last = query()
    if last.status in ("pending", "unknown"):
        return PaymentResult(
            last.reference,
            "timeout",
            last.amount,
            message="shopper did not confirm in time",
            provider=last.provider,
        )
    return last
