"""A kiosk's payment provider and its fake gateway, for the end-to-end payment tests: one
``Provider`` per ``payment.type``, each knowing its config, how the shopper pays (a payment
code, or the card button), how to script the gateway and what the gateway holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.kiosk.payment import fake_alipay, fake_terminal, fake_wechatpay
from tests.kiosk.payment.fake_http import KeyPair

KEYS = (KeyPair.new(), KeyPair.new())
PROVIDERS = ("wechatpay", "alipay", "card")
WAITING = {"wechatpay": "userpaying", "alipay": "waitpay", "card": "wait"}


@dataclass
class Provider:
    name: str
    code: str | None
    """The shopper's payment code; None: the card button, then the terminal."""
    config: dict[str, Any]
    fake: Any

    def charged(self) -> dict[str, Decimal]:
        """Reference → what the shopper is out of pocket on it, per the gateway."""
        if self.name == "wechatpay":
            return {k: Decimal(v) / 100 for k, v in self.fake.charged().items()}
        return dict(self.fake.charged())

    def user_paying_forever(self) -> None:
        self.fake.script.push(WAITING[self.name])

    def states(self) -> dict[str, str]:
        """Reference → the gateway's state of it."""
        if self.name == "wechatpay":
            return {k: o.state for k, o in self.fake.orders.items()}
        if self.name == "alipay":
            return {k: t.status for k, t in self.fake.trades.items()}
        return {p.reference: p.result for p in self.fake.payments.values()}

    def waiting(self) -> list[str]:
        """References the gateway holds as waiting for the shopper."""
        busy = ("USERPAYING", "WAIT_BUYER_PAY", "InProgress")
        return [k for k, state in self.states().items() if state in busy]

    def shopper_confirms(self, reference: str) -> None:
        if self.name == "card":
            self.fake.present_card(reference)
            return
        with self.fake.lock:
            if self.name == "wechatpay":
                self.fake.orders[reference].state = "SUCCESS"
            else:
                self.fake.trades[reference].status = "TRADE_SUCCESS"

    def state_of(self, reference: str) -> str:
        return self.states()[reference]


UNDONE = ("REVOKED", "TRADE_CLOSED", "Aborted")
"""Gateway states of a payment reversed or aborted before the money moved."""


@contextmanager
def provider(name: str, tmp: Path, **extra: Any) -> Iterator[Provider]:
    merchant, platform = KEYS
    if name == "wechatpay":
        with fake_wechatpay.FakeWechatPay(merchant, platform) as wx:
            cfg = fake_wechatpay.wechat_config(tmp, wx, merchant, platform, **extra)
            yield Provider(name, fake_wechatpay.CODE, cfg, wx)
    elif name == "alipay":
        with fake_alipay.FakeAlipay(merchant, platform) as ali:
            cfg = fake_alipay.alipay_config(tmp, ali, merchant, platform, **extra)
            yield Provider(name, fake_alipay.CODE, cfg, ali)
    elif name == "card":
        extra.pop("poll_s", None)
        with fake_terminal.FakeTerminal() as terminal:
            yield Provider(name, None, fake_terminal.card_config(tmp, terminal, **extra), terminal)
    else:
        raise ValueError(name)
