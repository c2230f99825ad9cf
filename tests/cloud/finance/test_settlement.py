"""Acceptance 2: Z reports against recorded sales and returns, each difference with its cause."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, get_args

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.finance import service as finance
from cloud.finance.schemas import DifferenceOut
from cloud.finance.settlement import Cause, RecordedReturn, RecordedSale, settle
from cloud.sales.models import ZReport
from cloud.stores.repository import by_code
from contracts.messages import ZReportData
from tests.cloud.factories import T0, sale_data, setup_store
from tests.cloud.finance.sales_gen import ingest

DAY = date(2026, 3, 2)  # T0 is 17:30 in Asia/Shanghai


def zreport(
    payloads: list[dict[str, Any]],
    counted_delta: Decimal = Decimal(0),
    refunds: list[tuple[str, str, Decimal]] | None = None,
    counted_refunds: Decimal | None = None,
) -> dict[str, Any]:
    """What a kiosk computes at end of day (written from the contract, not kiosk code).

    ``refunds`` (return id, method, amount) as a current kiosk reports them; None: a kiosk
    that predates refunds on the Z report. The counted drawer is short of the cash refunds
    (``counted_refunds``, by default those reported) since they really left it.
    """
    tenders: dict[str, list[Decimal]] = defaultdict(list)
    for p in payloads:
        for t in p["tenders"]:
            tenders[t["method"]].append(Decimal(t["amount"]))
    change = sum((Decimal(p["change"]) for p in payloads), Decimal(0))
    expected = sum(tenders.get("cash", []), Decimal(0)) - change
    cash_back = sum((a for _, m, a in refunds or [] if m == "cash"), Decimal(0))
    counted = expected - (cash_back if counted_refunds is None else counted_refunds)
    extra: dict[str, Any] = {}
    if refunds is not None:
        by_method: dict[str, list[Decimal]] = defaultdict(list)
        for _, method, amount in refunds:
            by_method[method].append(amount)
        extra = {
            "refunds": [
                {"method": m, "count": len(a), "amount": str(sum(a, Decimal(0)))}
                for m, a in sorted(by_method.items())
            ],
            "refunds_count": len({rid for rid, _, _ in refunds}),
            "refunds_total": str(sum((a for _, _, a in refunds), Decimal(0))),
            "return_ids": sorted({rid for rid, _, _ in refunds}),
        }
        expected -= cash_back
    return extra | {
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
        "cash_counted": str(counted + counted_delta),
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


def _returned(return_id: str, sale: dict[str, Any], line_no: int = 2) -> dict[str, Any]:
    """A kiosk return of a whole line (line 2 of ``sale_data``: 2 × 11.00, no discount)."""
    return {
        "return_id": return_id,
        "sale_id": sale["sale_id"],
        "completed_at": (T0 + timedelta(hours=1)).isoformat(),
        "reason": "faulty",
        "refund_total": "22.00",
        "approved_by": "att-1",
        "lines": [{"line_no": line_no, "qty": "2"}],
    }


def _day_with_refunds(
    session_factory: sessionmaker[Session], store: str, node: str
) -> tuple[list[dict[str, Any]], list[tuple[str, str, Decimal]]]:
    """Two cash sales and a card sale; one cash sale and the card sale partly returned."""
    sales = _sales(f"{node}-S", 3)
    card = sales[2]
    card["tenders"] = [{"method": "card", "amount": card["total"], "reference": "T-1"}]
    card["change"] = "0.00"
    ingest(session_factory, store, sales, node=node)
    returns = [_returned(f"{node}-R1", sales[1]), _returned(f"{node}-R2", card)]
    ingest(session_factory, store, returns, node=node, event_type="return")
    paid = [(f"{node}-R1", "cash", Decimal("22.00")), (f"{node}-R2", "card", Decimal("22.00"))]
    return sales, paid


def _settle(session_factory: sessionmaker[Session], store_code: str) -> dict[str, Any]:
    with session_factory() as s:
        store = by_code(s, store_code)
        assert store is not None
        return {r.node: r for r in finance.settle_day(s, store, DAY)}


def test_cash_refunds_come_off_expected_cash_and_refunds_settle_by_method(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "z4")
    sales, paid = _day_with_refunds(session_factory, "z4", "kiosk-1")
    z = zreport(sales, refunds=paid)
    ingest(session_factory, "z4", [z], node="kiosk-1", event_type="zreport")
    one = _settle(session_factory, "z4")["kiosk-1"]
    assert one.balanced, one.differences
    assert (
        one.refunds_kiosk
        == one.refunds_cloud
        == {
            "card": Decimal("22.00"),
            "cash": Decimal("22.00"),
        }
    )
    cash_in = sum(
        (Decimal(t["amount"]) for p in sales for t in p["tenders"] if t["method"] == "cash"),
        Decimal(0),
    )
    change = sum((Decimal(p["change"]) for p in sales), Decimal(0))
    assert one.cash_expected == cash_in - change - Decimal("22.00")
    assert Decimal(z["cash_expected"]) == one.cash_expected


def test_old_kiosk_z_report_gets_the_recorded_cash_refunds_taken_off_its_expected_cash(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "z5")
    sales, _ = _day_with_refunds(session_factory, "z5", "kiosk-1")
    old = zreport(sales, counted_refunds=Decimal("22.00"))  # no refund fields; drawer short
    assert "refunds" not in old
    ingest(session_factory, "z5", [old], node="kiosk-1", event_type="zreport")
    sales2, _ = _day_with_refunds(session_factory, "z5", "kiosk-2")
    short = zreport(sales2, Decimal("-1.00"), counted_refunds=Decimal("22.00"))
    ingest(session_factory, "z5", [short], node="kiosk-2", event_type="zreport")
    result = _settle(session_factory, "z5")
    one, two = result["kiosk-1"], result["kiosk-2"]
    assert one.balanced, one.differences  # the drawer matches once the refund is counted
    assert one.cash_expected == Decimal(old["cash_expected"]) - Decimal("22.00")
    assert one.refunds_kiosk == {}
    assert one.refunds_cloud == {"card": Decimal("22.00"), "cash": Decimal("22.00")}
    assert [(d.field, d.cause, d.detail) for d in two.differences] == [
        (
            "cash",
            "cash_variance",
            "drawer short by 1.00 (cash refunds 22.00 recorded by the cloud taken off)",
        )
    ]


def _ret(rid: str, method: str, amount: str) -> RecordedReturn:
    return RecordedReturn(rid, ((method, Decimal(amount)),))


def test_return_never_recorded_and_return_not_reported_are_flagged_with_their_cause() -> None:
    sales = [_rec("a", "10.00"), _rec("b", "20.00")]
    refunds = {
        "refunds": [{"method": "cash", "count": 1, "amount": "5.00"}],
        "refunds_count": 1,
        "refunds_total": "5.00",
        "return_ids": ["r1"],
        "cash_expected": "25.00",
    }
    balanced = settle("k", _z(**refunds), sales, [_ret("r1", "cash", "5.00")])
    assert balanced.balanced
    assert balanced.cash_expected == Decimal("25.00")

    lost = settle("k", _z(**refunds), sales, [])  # refused on ingest, or never arrived
    assert [(d.field, d.cause) for d in lost.differences] == [
        ("return_id", "missing_event"),
        ("refund:cash", "missing_event"),
    ]
    assert lost.differences[0].detail == "return r1 is on the Z report but was never recorded"

    unreported = settle(
        "k", _z(**refunds), sales, [_ret("r1", "cash", "5.00"), _ret("r2", "card", "7.00")]
    )
    assert [(d.field, d.cause, d.kiosk, d.cloud) for d in unreported.differences] == [
        ("return_id", "unreported_return", None, None),
        ("refund:card", "unreported_return", Decimal(0), Decimal("7.00")),
    ]

    repriced = settle("k", _z(**refunds), sales, [_ret("r1", "cash", "4.99")])
    assert [(d.field, d.cause) for d in repriced.differences] == [
        ("refund:cash", "mismatched_totals")
    ]


def test_kiosk_with_returns_but_no_z_report_is_flagged() -> None:
    result = settle("k", None, [], [_ret("r1", "cash", "5.00")])
    assert [(d.cause, d.detail) for d in result.differences] == [
        ("missing_zreport", "returns recorded but no Z report received")
    ]
    assert result.refunds_cloud == {"cash": Decimal("5.00")}


def test_every_cause_can_be_served_by_the_api() -> None:
    assert set(get_args(Cause)) == set(get_args(DifferenceOut.model_fields["cause"].annotation))
