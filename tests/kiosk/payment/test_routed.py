"""``payment.type: routed``: its config names what is missing; codes go by their digits, a
face-pay token to ``face_pay``, anything else is refused without asking a provider."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from kiosk.payment.base import PayRequest
from kiosk.payment.config import PaymentConfig
from kiosk.payment.routed import RoutedPayments
from tests.kiosk.payments_world import provider

CONFIG: TypeAdapter[object] = TypeAdapter(PaymentConfig)


def test_config_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least one of wechatpay, alipay, card"):
        CONFIG.validate_python({"type": "routed"})
    with (
        provider("wechatpay", tmp_path) as wx,
        pytest.raises(ValidationError, match="face_pay: alipay is not configured"),
    ):
        CONFIG.validate_python({"type": "routed", "wechatpay": wx.config, "face_pay": "alipay"})


def test_face_token_goes_to_face_pay_and_unknown_codes_nowhere(tmp_path: Path) -> None:
    with provider("alipay", tmp_path) as ali, provider("wechatpay", tmp_path) as wx:
        raw = {"type": "routed", "alipay": ali.config, "wechatpay": wx.config, "face_pay": "alipay"}
        routed = CONFIG.validate_python(raw).build().adapter  # type: ignore[attr-defined]
        assert isinstance(routed, RoutedPayments)
        face = routed.pay(PayRequest("F1", Decimal(3), "mobile", "code", "fp0a1b2c3d4e5f"))
        assert (face.status, face.provider) == ("approved", "alipay")
        assert ali.fake.trades["F1"].auth_code == "fp0a1b2c3d4e5f"
        card = routed.pay(PayRequest("C1", Decimal(3), "card"))
        assert (card.status, card.message) == ("declined", "not accepted here")
        assert routed.query("F1").provider == "alipay"
        assert routed.query("NEVER").status == "unknown"
        assert routed.cancel("NEVER").status in ("unknown", "cancelled")
        assert wx.fake.orders == {}
