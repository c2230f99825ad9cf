"""``payment:`` and ``cash:`` of the kiosk config: each picks its adapter by ``type`` and
builds it (:class:`~kiosk.payment.base.PaymentSetup`, :class:`~kiosk.payment.cash.CashSetup`).

A new payment adapter adds its config variant to :data:`PaymentConfig`; its module holds the
rest (see :mod:`kiosk.payment.base`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from edge.config import Strict
from kiosk.payment.alipay import AlipayConfig
from kiosk.payment.base import PaymentSetup
from kiosk.payment.card import CardTerminalConfig
from kiosk.payment.cash import CashSetup, FakeCashConfig
from kiosk.payment.routed import RoutedPaymentConfig
from kiosk.payment.simulator import SimulatorPaymentConfig
from kiosk.payment.wechatpay import WechatPayConfig


class NoPaymentConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: no cashless payment, cash only")

    def build(self) -> PaymentSetup:
        return PaymentSetup(None)


PaymentConfig = Annotated[
    SimulatorPaymentConfig
    | WechatPayConfig
    | AlipayConfig
    | CardTerminalConfig
    | RoutedPaymentConfig
    | NoPaymentConfig,
    Field(discriminator="type"),
]


class NoCashConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: no cash acceptor")

    def build(self) -> CashSetup:
        return CashSetup(None)


CashConfig = Annotated[FakeCashConfig | NoCashConfig, Field(discriminator="type")]
