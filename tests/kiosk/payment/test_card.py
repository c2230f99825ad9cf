"""The ``card`` adapter (Nexo terminal API) against a fake terminal on loopback, messages
encrypted and HMAC-checked both ways: approved, refused, the cardholder never comes → abort,
a lost answer → status query, a forged answer refused, partial and full refunds once each."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from kiosk.payment.base import PayRequest
from kiosk.payment.card import CardTerminal
from kiosk.payment.config import PaymentConfig
from kiosk.payment.nexo import NexoError, NexoKey, request, seal, unseal
from tests.kiosk.payment.fake_terminal import FakeTerminal, card_config


@pytest.fixture
def fake() -> Iterator[FakeTerminal]:
    with FakeTerminal() as terminal:
        yield terminal


def adapter(tmp: Path, fake: FakeTerminal, **extra: object) -> CardTerminal:
    built = TypeAdapter(PaymentConfig).validate_python(card_config(tmp, fake, **extra)).build()
    assert isinstance(built.adapter, CardTerminal)
    return built.adapter


def pay(a: CardTerminal, ref: str, amount: str = "12.30") -> str:
    return a.pay(PayRequest(ref, Decimal(amount), "card")).status


def test_sealed_messages_round_trip_and_tampering_is_caught() -> None:
    key = NexoKey.derive("pass", "k", 1)
    msg = request("Payment", "pos", "poi", "0123456789", {"X": Decimal("1.50")})
    wire = seal(key, msg)
    assert "PaymentRequest" not in wire["SaleToPOIRequest"]  # the body is encrypted
    assert unseal(key, wire)["SaleToPOIRequest"]["PaymentRequest"] == {"X": Decimal("1.5")}
    with pytest.raises(NexoError):
        unseal(NexoKey.derive("other", "k", 1), wire)
    blob = wire["SaleToPOIRequest"]["NexoBlob"]
    wire["SaleToPOIRequest"]["NexoBlob"] = ("A" if blob[0] != "A" else "B") + blob[1:]
    with pytest.raises(NexoError):
        unseal(key, wire)


def test_approved_refused_and_queried(tmp_path: Path, fake: FakeTerminal) -> None:
    a = adapter(tmp_path, fake)
    result = a.pay(PayRequest("R1", Decimal("12.30"), "card"))
    assert (result.status, result.amount, result.provider) == ("approved", Decimal("12.3"), "card")
    fake.script.push("refusal")
    assert pay(a, "R2") == "declined"
    assert a.query("R1").status == "approved"
    assert a.query("R2").status == "declined"
    assert a.query("NEVER").status == "unknown"
    assert fake.charged() == {"R1": Decimal("12.30")}


def test_cardholder_never_comes_is_a_timeout_then_aborted(
    tmp_path: Path, fake: FakeTerminal
) -> None:
    fake.script.push("wait")
    a = adapter(tmp_path, fake, user_paying_timeout_s=0.5)
    assert pay(a, "R3") == "timeout"
    assert a.query("R3").status == "pending"
    assert a.cancel("R3").status == "cancelled"
    assert fake.by_reference("R3").result == "Aborted"
    assert fake.charged() == {}


def test_lost_and_forged_answers_are_settled_by_query(tmp_path: Path, fake: FakeTerminal) -> None:
    fake.script.push("drop", "bad_mac")
    a = adapter(tmp_path, fake)
    assert pay(a, "R4") == "timeout"
    assert pay(a, "R5") == "timeout"
    assert a.query("R4").status == "approved"
    assert a.query("R5").status == "approved"
    assert fake.charged() == {"R4": Decimal("12.30"), "R5": Decimal("12.30")}


def test_partial_then_full_refund_once_each(tmp_path: Path, fake: FakeTerminal) -> None:
    a = adapter(tmp_path, fake)
    assert pay(a, "R6", "10.00") == "approved"
    assert a.refund("F1", "R6", Decimal("3.50")).status == "approved"
    assert a.refund("F1", "R6", Decimal("3.50")).status == "approved"  # retried: once
    assert fake.charged() == {"R6": Decimal("6.50")}
    assert a.refund("F2", "R6", Decimal("7.00")).status == "declined"
    assert a.refund("F3", "R6", Decimal("6.50")).status == "approved"
    assert fake.charged() == {"R6": Decimal(0)}
    assert a.refund("F4", "NEVER", Decimal(1)).status == "declined"
