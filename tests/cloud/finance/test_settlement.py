"""Acceptance 2: Z reports against recorded sales, each difference with its likely cause."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.finance import service as finance
from cloud.finance.settlement import RecordedSale, settle
from cloud.sales.models import ZReport
from cloud.stores.repository import by_code
from contracts.messages import ZReportData
from tests.cloud.factories import T0, sale_data, setup_store
from tests.cloud.finance.sales_gen import ingest

DAY = date(2026, 3, 2)  # T0 is 17:30 in Asia/Shanghai


def zreport(payloads: list[dict[str, Any]], counted_delta: Decimal = Decimal(0)) -> dict[str, Any]:
    """What a kiosk computes at end of day (written from the contract, not kiosk code)."""
    tenders: dict[str, list[Decimal]] = defaultdict(list)
    for p in payloads:
        for t in p["tenders"]:
            tenders[t["method"]].append(Decimal(t["amount"]))
    change = sum((Decimal(p["change"]) for p in payloads), Decimal(0))
    expected = sum(tenders.get("cash", []), Decimal(0)) - change
    return {
        "report_no": 1,
        "business_date": DAY.isoformat(),
        "opened_at": (T0 - timedelta(hours=2)).isoformat(),
        "closed_at": (T0 + timedelta(hours=4)).isoformat(),
        "sales_count": len(payloads),
        "gross": str(sum((Decimal(p["subtotal"]) for p in payloads), Decimal(0))),
        "discounts": str(sum((Decimal(p["discount_total"]) for p in payloads), Decimal(0))),
        "tax": str(sum((Decimal(p["tax_total"]) for p in payloads), Decimal(0))),
        "total": str(sum((Decimal(p["total"]) for p in payloads), Decimal(0))),
        "change": str(change),
        "tenders": [
            {"method": m, "count": len(a), "amount": str(sum(a, Decimal(0)))}
            for m, a in sorted(tenders.items())
        ],
        "cash_expected": str(expected),
        "cash_counted": str(expected + counted_delta),
        "sale_ids": [p["sale_id"] for p in payloads],
    }


def _sales(prefix: str, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        p = sale_data(f"{prefix}-{i}", n_lines=1 + i % 3)
        p["completed_at"] = (T0 + timedelta(minutes=10 * i)).isoformat()
        out.append(p)
    return out


def test_missing_event_and_cash_variance_are_flagged_with_their_cause(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "z1")
    k1 = _sales("K1", 5)
    k2 = _sales("K2", 4)
    ingest(session_factory, "z1", k1[:2] + k1[3:], node="kiosk-1")  # K1-2 never arrives
    ingest(session_factory, "z1", k2, node="kiosk-2")
    ingest(session_factory, "z1", [zreport(k1)], node="kiosk-1", event_type="zreport")
    ingest(
        session_factory,
        "z1",
        [zreport(k2, Decimal("-10.00"))],
        node="kiosk-2",
        event_type="zreport",
    )
    with session_factory() as s:
        store = by_code(s, "z1")
        assert store is not None
        result = {r.node: r for r in finance.settle_day(s, store, DAY)}
    one, two = result["kiosk-1"], result["kiosk-2"]
    assert {d.cause for d in one.differences} == {"missing_event"}
    assert [d.detail for d in one.differences if d.field == "sale_id"] == [
        "sale K1-2 is on the Z report but was never received"
    ]
    missing_total = Decimal(k1[2]["total"])
    total_diff = next(d for d in one.differences if d.field == "total")
    assert total_diff.kiosk == one.total_kiosk
    assert total_diff.cloud == one.total_kiosk - missing_total
    assert (one.sales_count_kiosk, one.sales_count_cloud) == (5, 4)

    assert [(d.field, d.cause) for d in two.differences] == [("cash", "cash_variance")]
    assert two.differences[0].detail == "drawer short by 10.00"
    assert two.total_kiosk == two.total_cloud


def test_balanced_day_has_no_difference_and_kiosk_without_z_is_flagged(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "z2")
    k1, k2 = _sales("A", 3), _sales("B", 2)
    ingest(session_factory, "z2", k1, node="kiosk-1")
    ingest(session_factory, "z2", k2, node="kiosk-2")
    ingest(session_factory, "z2", [zreport(k1)], node="kiosk-1", event_type="zreport")
    with session_factory() as s:
        store = by_code(s, "z2")
        assert store is not None
        result = {r.node: r for r in finance.settle_day(s, store, DAY)}
    assert result["kiosk-1"].balanced
    assert [d.cause for d in result["kiosk-2"].differences] == ["missing_zreport"]


def test_unreadable_stored_zreport_is_skipped_not_a_crash(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "z3")
    k1 = _sales("C", 1)
    ingest(session_factory, "z3", k1, node="kiosk-1")
    ingest(session_factory, "z3", [zreport(k1)], node="kiosk-1", event_type="zreport")
    with transaction(session_factory) as s:
        s.execute(update(ZReport).values(data={"garbage": True}))
    with session_factory() as s:
        store = by_code(s, "z3")
        assert store is not None
        result = finance.settle_day(s, store, DAY)
    assert [d.cause for r in result for d in r.differences] == []


def _rec(sid: str, total: str, method: str = "cash") -> RecordedSale:
    return RecordedSale(sid, Decimal(total), Decimal(0), ((method, Decimal(total)),))


def _z(**kw: Any) -> ZReportData:
    base: dict[str, Any] = {
        "report_no": 1,
        "business_date": DAY,
        "opened_at": T0,
        "closed_at": T0,
        "sales_count": 2,
        "gross": "30.00",
        "discounts": "0",
        "tax": "0",
        "total": "30.00",
        "tenders": [{"method": "cash", "count": 2, "amount": "30.00"}],
        "sale_ids": ["a", "b"],
    }
    return ZReportData.model_validate(base | kw)


def test_same_sales_with_different_amounts_are_mismatched_totals() -> None:
    result = settle("k", _z(), [_rec("a", "10.00"), _rec("b", "15.00")])
    assert {(d.field, d.cause) for d in result.differences} == {
        ("total", "mismatched_totals"),
        ("tender:cash", "mismatched_totals"),
    }


def test_sale_received_but_not_reported_is_unreported() -> None:
    result = settle("k", _z(), [_rec("a", "10.00"), _rec("b", "20.00"), _rec("c", "5.00", "card")])
    causes = {(d.field, d.cause) for d in result.differences}
    assert ("sale_id", "unreported_sale") in causes
    assert ("sales_count", "unreported_sale") in causes
    assert ("tender:card", "unreported_sale") in causes
