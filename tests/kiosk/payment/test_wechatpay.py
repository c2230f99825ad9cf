"""The ``wechatpay`` adapter against a fake APIv3 host on loopback (signatures checked both
ways): success, user paying then success, user paying then timeout → reverse, a lost answer
→ query, a duplicate reference, partial and full refunds, a forged answer refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from edge.exceptions import ConfigError
from kiosk.payment.base import PayRequest
from kiosk.payment.config import PaymentConfig
from kiosk.payment.wechatpay import WechatPayAdapter
from tests.kiosk.payment.fake_http import KeyPair
from tests.kiosk.payment.fake_wechatpay import CODE, FakeWechatPay, wechat_config

MERCHANT = KeyPair.new()
PLATFORM = KeyPair.new()


@pytest.fixture
def fake() -> Iterator[FakeWechatPay]:
    with FakeWechatPay(MERCHANT, PLATFORM) as gateway:
        yield gateway


def adapter(tmp: Path, fake: FakeWechatPay, **extra: object) -> WechatPayAdapter:
    raw = wechat_config(tmp, fake, MERCHANT, PLATFORM, **extra)
    built = TypeAdapter(PaymentConfig).validate_python(raw).build().adapter
    assert isinstance(built, WechatPayAdapter)
    return built


def pay(a: WechatPayAdapter, ref: str, amount: str = "12.30") -> str:
    return a.pay(PayRequest(ref, Decimal(amount), "mobile", "code", CODE)).status


def test_paid_at_once_and_queried(tmp_path: Path, fake: FakeWechatPay) -> None:
    a = adapter(tmp_path, fake)
    result = a.pay(PayRequest("R1", Decimal("12.30"), "mobile", "code", CODE))
    assert (result.status, result.amount, result.provider) == (
        "approved",
        Decimal("12.3"),
        "wechatpay",
    )
    assert result.auth_code
    assert result.auth_code.startswith("4200")
    assert fake.charged() == {"R1": 1230}
    assert a.query("R1").status == "approved"
    assert a.query("NEVER").status == "unknown"


def test_user_paying_then_confirmed(tmp_path: Path, fake: FakeWechatPay) -> None:
    fake.script.push("userpaying:3")
    assert pay(adapter(tmp_path, fake), "R2") == "approved"
    assert fake.charged() == {"R2": 1230}


def test_user_paying_past_the_deadline_is_a_timeout_then_reversed(
    tmp_path: Path, fake: FakeWechatPay
) -> None:
    fake.script.push("userpaying")
    a = adapter(tmp_path, fake, user_paying_timeout_s=0.5)
    assert pay(a, "R3") == "timeout"
    assert a.query("R3").status == "pending"
    assert a.cancel("R3").status == "cancelled"
    assert fake.orders["R3"].state == "REVOKED"
    assert fake.charged() == {}


def test_lost_answer_is_settled_by_query_and_a_retry_never_charges_twice(
    tmp_path: Path, fake: FakeWechatPay
) -> None:
    fake.script.push("drop")
    a = adapter(tmp_path, fake)
    assert pay(a, "R4") == "timeout"
    assert a.query("R4").status == "approved"
    assert pay(a, "R4") == "approved"  # duplicate out_trade_no: answered from the order
    assert fake.charged() == {"R4": 1230}
    assert fake.codepay_calls == 2


def test_declined_and_server_error(tmp_path: Path, fake: FakeWechatPay) -> None:
    fake.script.push("not_enough", "system_error")
    a = adapter(tmp_path, fake)
    declined = a.pay(PayRequest("R5", Decimal(1), "mobile", "code", CODE))
    assert (declined.status, declined.message) == ("declined", "用户账户余额不足")
    assert pay(a, "R6") == "timeout"
    assert a.query("R6").status == "unknown"
    assert fake.charged() == {}


def test_forged_answer_is_not_believed(tmp_path: Path, fake: FakeWechatPay) -> None:
    fake.script.push("bad_signature")
    a = adapter(tmp_path, fake)
    assert pay(a, "R7") == "timeout"  # the charge is real, the answer untrusted: ask again
    assert a.query("R7").status == "approved"


def test_partial_then_full_refund(tmp_path: Path, fake: FakeWechatPay) -> None:
    a = adapter(tmp_path, fake)
    assert pay(a, "R8", "10.00") == "approved"
    assert a.refund("F1", "R8", Decimal("3.50")).status == "approved"
    assert a.refund("F1", "R8", Decimal("3.50")).status == "approved"  # retried: once
    assert fake.charged() == {"R8": 650}
    too_much = a.refund("F2", "R8", Decimal("7.00"))
    assert too_much.status == "declined"
    assert a.refund("F3", "R8", Decimal("6.50")).status == "approved"
    assert fake.charged() == {"R8": 0}
    assert a.refund("F4", "NEVER", Decimal(1)).status == "declined"


def test_missing_key_file_names_the_field(tmp_path: Path, fake: FakeWechatPay) -> None:
    raw = wechat_config(tmp_path, fake, MERCHANT, PLATFORM)
    raw["private_key"] = {"file": str(tmp_path / "nope.pem")}
    with pytest.raises(ConfigError, match=r"payment\.private_key\.file"):
        TypeAdapter(PaymentConfig).validate_python(raw).build()
    raw["private_key"] = {"env": "SMARTSTORE_TEST_UNSET_KEY"}
    with pytest.raises(ConfigError, match="SMARTSTORE_TEST_UNSET_KEY"):
        TypeAdapter(PaymentConfig).validate_python(raw).build()
