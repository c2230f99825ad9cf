"""The payment simulator: scripted outcomes, idempotent references, state in a file."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

from kiosk.payment.base import PayRequest
from kiosk.payment.simulator import PaymentSimulator


def test_scripted_outcomes_and_idempotent_reference(tmp_path: Path) -> None:
    term = PaymentSimulator(tmp_path / "t.sqlite3")
    term.push("decline", "approve")
    assert term.pay(PayRequest("r1", D("5.00"), "card")).status == "declined"
    assert term.pay(PayRequest("r2", D("5.00"), "card")).status == "approved"
    again = term.pay(PayRequest("r2", D("5.00"), "card"))
    assert again.status == "approved"
    assert again.message == "duplicate"
    assert term.approved_charges() == [("r2", D("5.00"))]


def test_late_approval_is_found_by_query(tmp_path: Path) -> None:
    term = PaymentSimulator(tmp_path / "t.sqlite3")
    term.push("late", "timeout")
    assert term.pay(PayRequest("r1", D("3"), "card")).status == "timeout"
    assert term.query("r1").status == "approved"
    assert term.pay(PayRequest("r2", D("3"), "card")).status == "timeout"
    assert term.query("r2").status == "declined"  # never reached the host
    assert term.query("nope").status == "unknown"


def test_state_survives_a_new_process_view(tmp_path: Path) -> None:
    PaymentSimulator(tmp_path / "t.sqlite3").pay(PayRequest("r1", D("1"), "card"))
    assert PaymentSimulator(tmp_path / "t.sqlite3").query("r1").status == "approved"


def test_qr_pending_until_paid_and_cancel(tmp_path: Path) -> None:
    term = PaymentSimulator(tmp_path / "t.sqlite3")
    shown = term.pay(PayRequest("q1", D("9.90"), "mobile", "qr"))
    assert shown.status == "pending"
    assert shown.qr_payload
    assert "q1" in shown.qr_payload
    assert term.query("q1").status == "pending"
    term.shopper_scans_qr("q1")
    assert term.query("q1").status == "approved"
    term.pay(PayRequest("q2", D("1"), "mobile", "qr"))
    assert term.cancel("q2").status == "cancelled"
    term.shopper_scans_qr("q2")
    assert term.query("q2").status == "cancelled"
