"""A return of two lines of a five-line sale: stock, points, finance and P&L to the cent; the
same lines cannot be returned twice; kiosk return events and bad input never crash ingest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.finance import service as finance
from cloud.finance.models import RevenueEntry
from cloud.inventory.models import Movement
from cloud.members.models import Member, PointsEntry
from cloud.returns.exceptions import ReturnRefusedError
from cloud.returns.models import RefundEntry, Return, ReturnRefund
from cloud.returns.service import Wanted, process_return
from cloud.sales.models import Sale
from cloud.stores.models import Store
from contracts.refunds import apportion
from tests.cloud.factories import GTINS, T0
from tests.cloud.members.helpers import PHONE, deliver, deliver_event, member_sale, pipeline, seed

LATER = T0 + timedelta(hours=3)


def _on_hand(s: Session, gtin: str) -> Decimal:
    return Decimal(
        s.scalar(select(func.coalesce(func.sum(Movement.qty), 0)).where(Movement.gtin == gtin)) or 0
    )


def _sold(factory: sessionmaker[Session]) -> None:
    seed(factory)
    deliver(pipeline(factory), member_sale("S-5"), seq=1)


def test_return_two_of_five_lines_reflects_everywhere(
    session_factory: sessionmaker[Session],
) -> None:
    _sold(session_factory)
    with session_factory() as s:
        before = {g: _on_hand(s, g) for g in GTINS}
        sale = s.scalars(select(Sale)).one()
        assert sale.total == Decimal("119.00")
        assert sale.points_earned == 119
    with transaction(session_factory) as s:
        ret = process_return(
            s,
            sale_id="S-5",
            reason="faulty",
            now=LATER,
            processed_by="staff",
            wanted=[Wanted(2, Decimal(2)), Wanted(4, Decimal(2), "damaged")],
        )
        ret_id = ret.id
    with session_factory() as s:
        ret2 = s.get(Return, ret_id)
        assert ret2 is not None
        # lines 2 and 4: 11.00×2 + 13.00×2, no discounts on them
        assert ret2.refund_total == Decimal("48.00")
        sale = s.scalars(select(Sale)).one()
        # Tax of the sale apportioned by line net; the refund carries its exact share.
        # Tax of the sale apportioned by what each line paid; the refund carries its share.
        pays = [Decimal(19), Decimal(22), Decimal(24), Decimal(26), Decimal(28)]
        shares = apportion(sale.tax_total, pays)
        assert sum(shares) == sale.tax_total
        assert ret2.tax == shares[1] + shares[3]
        refunds = s.scalars(select(ReturnRefund)).all()
        assert [(r.method, r.amount) for r in refunds] == [("cash", Decimal("48.00"))]
        # Stock: line 2 back on the shelf, line 4 damaged (back, then written off).
        after = {g: _on_hand(s, g) for g in GTINS}
        assert after[GTINS[1]] - before[GTINS[1]] == 2
        assert after[GTINS[3]] - before[GTINS[3]] == 0
        assert all(after[g] == before[g] for g in (GTINS[0], GTINS[2], GTINS[4]))
        # Points: 48 of the 119 earned come back off the balance.
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        assert ret2.points_reversed == 48
        assert member.points_balance == 71
        ledger = int(s.scalar(select(func.sum(PointsEntry.points))) or 0)
        assert ledger == member.points_balance
        # Finance: revenue entry reversed by the net of tax, cost of goods by 2×7 + 2×9.
        rev = s.scalars(select(RevenueEntry)).one()
        back = s.scalars(select(RefundEntry)).one()
        assert back.revenue == -(Decimal("48.00") - ret2.tax)
        assert back.tax == -ret2.tax
        assert back.cost == Decimal("-32.00")
        store = s.get(Store, sale.store_id)
        assert store is not None
        pnl = finance.profit_and_loss(s, store, "month", date(2026, 3, 1), date(2026, 3, 31))
        month = pnl[0]
        assert month.revenue == rev.revenue + back.revenue
        assert month.revenue == Decimal("119.00") - sale.tax_total - Decimal("48.00") + ret2.tax
        assert month.tax == sale.tax_total - ret2.tax
        assert month.cogs == Decimal("80.00") - Decimal("32.00")
        totals = finance.profit(s, store.id, T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert totals["revenue"] == month.revenue
        assert totals["cost"] == Decimal("48.00")


def test_second_return_of_the_same_lines_is_refused(
    session_factory: sessionmaker[Session],
) -> None:
    _sold(session_factory)
    with transaction(session_factory) as s:
        process_return(
            s,
            sale_id="S-5",
            reason="changed mind",
            now=LATER,
            wanted=[Wanted(2, Decimal(2)), Wanted(4, Decimal(2))],
        )
    with pytest.raises(ReturnRefusedError), transaction(session_factory) as s:
        process_return(
            s,
            sale_id="S-5",
            reason="again",
            now=LATER,
            wanted=[Wanted(2, Decimal(2)), Wanted(4, Decimal(2))],
        )
    with pytest.raises(ReturnRefusedError), transaction(session_factory) as s:
        process_return(
            s, sale_id="S-5", reason="too many", now=LATER, wanted=[Wanted(1, Decimal(3))]
        )
    with transaction(session_factory) as s:  # the other lines remain returnable, in parts
        process_return(
            s,
            sale_id="S-5",
            reason="rest",
            now=LATER,
            wanted=[Wanted(1, Decimal(1)), Wanted(3, Decimal(2)), Wanted(5, Decimal(2))],
        )
        last = process_return(
            s, sale_id="S-5", reason="rest", now=LATER, wanted=[Wanted(1, Decimal(1))]
        )
        assert last.full
    with session_factory() as s:
        total = sum(r.refund_total for r in s.scalars(select(Return)))
        assert total == Decimal("119.00")  # everything back, exactly the sale total
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        assert member.points_balance == 0
        assert (
            sum(e.revenue for e in s.scalars(select(RefundEntry)))
            == -s.scalars(select(RevenueEntry)).one().revenue
        )


def test_kiosk_return_event_applies_once_and_bad_ones_do_not_crash(
    session_factory: sessionmaker[Session],
) -> None:
    _sold(session_factory)
    pipe = pipeline(session_factory)
    event = {
        "return_id": "K1-R-1",
        "sale_id": "S-5",
        "completed_at": "2026-03-02T09:30:02Z",  # before the cloud's clock (T0 + 5 s)
        "reason": "faulty",
        "refund_total": "22.00",
        "approved_by": "att-1",
        "lines": [{"line_no": 2, "qty": "2"}],
    }
    deliver_event(pipe, "return", event, seq=2)
    deliver_event(pipe, "return", event, seq=2)  # redelivered
    deliver_event(pipe, "return", {**event, "return_id": "K1-R-2"}, seq=3)  # same lines again
    deliver_event(pipe, "return", {**event, "return_id": "K1-R-3", "sale_id": "NOPE"}, seq=4)
    deliver_event(
        pipe,
        "return",
        {**event, "return_id": "K1-R-4", "lines": [{"line_no": 99, "qty": "1"}]},
        seq=5,
    )
    with session_factory() as s:
        rows = s.scalars(select(Return)).all()
        assert [(r.return_no, r.refund_total, r.node) for r in rows] == [
            ("K1-R-1", Decimal("22.00"), "kiosk-1")
        ]
        assert s.scalar(select(func.count()).select_from(Sale)) == 1
    assert pipe.dead_lettered == 0  # refused returns are logged, not dead-lettered
