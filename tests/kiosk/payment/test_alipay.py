"""The ``alipay`` adapter against a fake openapi gateway on loopback (RSA2 both ways):
success, waiting for the shopper then success, waiting past the deadline → cancel, a lost
answer → query, a duplicate reference, partial and full refunds, a forged answer refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from edge.exceptions import ConfigError
from kiosk.payment.alipay import AlipayAdapter
from kiosk.payment.base import PayRequest
from kiosk.payment.config import PaymentConfig
from tests.kiosk.payment.fake_alipay import CODE, FakeAlipay, alipay_config
from tests.kiosk.payment.fake_http import KeyPair

APP = KeyPair.new()
ALIPAY = KeyPair.new()


@pytest.fixture
def fake() -> Iterator[FakeAlipay]:
    with FakeAlipay(APP, ALIPAY) as gateway:
        yield gateway


def adapter(tmp: Path, fake: FakeAlipay, **extra: object) -> AlipayAdapter:
    raw = alipay_config(tmp, fake, APP, ALIPAY, **extra)
    built = TypeAdapter(PaymentConfig).validate_python(raw).build().adapter
    assert isinstance(built, AlipayAdapter)
    return built


def pay(a: AlipayAdapter, ref: str, amount: str = "12.30", code: str = CODE) -> str:
    return a.pay(PayRequest(ref, Decimal(amount), "mobile", "code", code)).status


def test_paid_at_once_and_queried(tmp_path: Path, fake: FakeAlipay) -> None:
    a = adapter(tmp_path, fake)
    result = a.pay(PayRequest("R1", Decimal("12.30"), "mobile", "code", CODE))
    assert (result.status, result.amount, result.provider) == (
        "approved",
        Decimal("12.30"),
        "alipay",
    )
    assert result.auth_code
    assert fake.charged() == {"R1": Decimal("12.30")}
    assert a.query("R1").status == "approved"
    assert a.query("NEVER").status == "unknown"


def test_face_pay_token_goes_as_security_code(tmp_path: Path, fake: FakeAlipay) -> None:
    assert pay(adapter(tmp_path, fake), "RF", code="fp0a1b2c3d4e5f") == "approved"
    assert fake.trades["RF"].auth_code == "fp0a1b2c3d4e5f"


def test_waiting_for_the_shopper_then_paid(tmp_path: Path, fake: FakeAlipay) -> None:
    fake.script.push("waitpay:3")
    assert pay(adapter(tmp_path, fake), "R2") == "approved"
    assert fake.charged() == {"R2": Decimal("12.30")}


def test_waiting_past_the_deadline_is_a_timeout_then_cancelled(
    tmp_path: Path, fake: FakeAlipay
) -> None:
    fake.script.push("waitpay")
    a = adapter(tmp_path, fake, user_paying_timeout_s=0.5)
    assert pay(a, "R3") == "timeout"
    assert a.query("R3").status == "pending"
    cancelled = a.cancel("R3")
    assert (cancelled.status, cancelled.message) == ("cancelled", "close")
    assert a.query("R3").status == "cancelled"
    assert fake.charged() == {}


def test_lost_answer_is_settled_by_query_and_a_retry_never_charges_twice(
    tmp_path: Path, fake: FakeAlipay
) -> None:
    fake.script.push("drop")
    a = adapter(tmp_path, fake)
    assert pay(a, "R4") == "timeout"
    assert a.query("R4").status == "approved"
    assert pay(a, "R4") == "approved"  # ACQ.TRADE_HAS_SUCCESS: answered from the trade
    assert fake.charged() == {"R4": Decimal("12.30")}
    assert fake.pay_calls == 2


def test_declined_and_service_unavailable(tmp_path: Path, fake: FakeAlipay) -> None:
    fake.script.push("declined", "system_error")
    a = adapter(tmp_path, fake)
    declined = a.pay(PayRequest("R5", Decimal(1), "mobile", "code", CODE))
    assert declined.status == "declined"
    assert "获取顾客账户信息失败" in declined.message
    assert pay(a, "R6") == "timeout"
    assert a.query("R6").status == "unknown"
    assert fake.charged() == {}


def test_forged_answer_is_not_believed(tmp_path: Path, fake: FakeAlipay) -> None:
    fake.script.push("bad_signature")
    a = adapter(tmp_path, fake)
    assert pay(a, "R7") == "timeout"  # paid, but the answer is untrusted: ask again
    assert a.query("R7").status == "approved"


def test_partial_then_full_refund(tmp_path: Path, fake: FakeAlipay) -> None:
    a = adapter(tmp_path, fake)
    assert pay(a, "R8", "10.00") == "approved"
    assert a.refund("F1", "R8", Decimal("3.50")).status == "approved"
    assert a.refund("F1", "R8", Decimal("3.50")).status == "approved"  # retried: once
    assert fake.charged() == {"R8": Decimal("6.50")}
    assert a.refund("F2", "R8", Decimal("7.00")).status == "declined"
    assert a.refund("F3", "R8", Decimal("6.50")).status == "approved"
    assert fake.charged() == {"R8": Decimal(0)}
    assert a.refund("F4", "NEVER", Decimal(1)).status == "declined"


def test_bad_key_names_the_field(tmp_path: Path, fake: FakeAlipay) -> None:
    raw = alipay_config(tmp_path, fake, APP, ALIPAY)
    raw["app_private_key"] = {"file": str(tmp_path / "nope.pem")}
    with pytest.raises(ConfigError, match=r"payment\.app_private_key\.file"):
        TypeAdapter(PaymentConfig).validate_python(raw).build()
