"""Finance queries: revenue entries, expenses, ledger rows for costing, Z reports, sales and
the kiosk returns settled against them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cloud.finance.costing import LedgerRow
from cloud.finance.models import Expense, RecurringExpense, RevenueEntry
from cloud.inventory.models import Movement
from cloud.returns.models import Return, ReturnRefund
from cloud.sales.models import Sale, Tender, ZReport

T = TypeVar("T")
_IN_LIST = 500
"""Values per ``IN (…)``: well under SQLite's bound-parameter limit."""


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(values), _IN_LIST):
        yield values[i : i + _IN_LIST]


def totals(session: Session, store_id: int, start: datetime, end: datetime) -> dict[str, Decimal]:
    row = session.execute(
        select(
            func.count(RevenueEntry.id),
            func.coalesce(func.sum(RevenueEntry.revenue), 0),
            func.coalesce(func.sum(RevenueEntry.discount), 0),
            func.coalesce(func.sum(RevenueEntry.tax), 0),
            func.coalesce(func.sum(RevenueEntry.cost), 0),
        ).where(
            RevenueEntry.store_id == store_id,
            RevenueEntry.occurred_at >= start,
            RevenueEntry.occurred_at < end,
        )
    ).one()
    return {
        "count": Decimal(row[0]),
        "revenue": Decimal(row[1]),
        "discount": Decimal(row[2]),
        "tax": Decimal(row[3]),
        "cost": Decimal(row[4]),
    }


def revenue_rows(
    session: Session, store_id: int, start: datetime, end: datetime
) -> Sequence[RevenueEntry]:
    return session.scalars(
        select(RevenueEntry).where(
            RevenueEntry.store_id == store_id,
            RevenueEntry.occurred_at >= start,
            RevenueEntry.occurred_at < end,
        )
    ).all()


def ledger(session: Session, store_id: int, until: datetime) -> list[LedgerRow]:
    """Every movement of the store before ``until``, in time order (ties: ledger order)."""
    stmt = (
        select(
            Movement.product_id,
            Movement.gtin,
            Movement.kind,
            Movement.qty,
            Movement.unit_cost,
            Movement.occurred_at,
            Movement.reference,
        )
        .where(Movement.store_id == store_id, Movement.occurred_at < until)
        .order_by(Movement.occurred_at, Movement.id)
    )
    return [
        LedgerRow(
            key=f"p{pid}" if pid is not None else f"g{gtin}",
            kind=kind,
            qty=qty,
            unit_cost=cost,
            occurred_at=at,
            reference=ref,
        )
        for pid, gtin, kind, qty, cost, at, ref in session.execute(stmt)
    ]


def expenses(session: Session, store_id: int, first: date, last: date) -> Sequence[Expense]:
    return session.scalars(
        select(Expense)
        .where(Expense.store_id == store_id, Expense.incurred_on.between(first, last))
        .order_by(Expense.incurred_on, Expense.id)
    ).all()


def recurring(
    session: Session, store_id: int, first: date, last: date
) -> Sequence[RecurringExpense]:
    return session.scalars(
        select(RecurringExpense).where(
            RecurringExpense.store_id == store_id,
            RecurringExpense.starts_on <= last,
            or_(RecurringExpense.ends_on.is_(None), RecurringExpense.ends_on >= first),
        )
    ).all()


def zreports(session: Session, store_id: int, day: date) -> Sequence[ZReport]:
    return session.scalars(
        select(ZReport)
        .where(ZReport.store_id == store_id, ZReport.business_date == day)
        .order_by(ZReport.node, ZReport.report_no)
    ).all()


def sales_for(
    session: Session,
    store_id: int,
    *,
    node: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    sale_ids: Iterable[str] = (),
) -> list[tuple[Sale, list[tuple[str, Decimal]]]]:
    """Sales (with tender amounts) in [start, end) of a node, plus any listed by id."""
    clauses = []
    if start is not None and end is not None:
        window = [Sale.completed_at >= start, Sale.completed_at < end]
        if node is not None:
            window.append(Sale.node == node)
        clauses.append(window)
    ids = sorted(set(sale_ids))
    heads: dict[int, Sale] = {}
    for window in clauses:
        for sale in session.scalars(select(Sale).where(Sale.store_id == store_id, *window)):
            heads[sale.id] = sale
    for chunk in _chunks(ids):
        for sale in session.scalars(
            select(Sale).where(Sale.store_id == store_id, Sale.sale_id.in_(chunk))
        ):
            heads[sale.id] = sale
    tenders: dict[int, list[tuple[str, Decimal]]] = {pk: [] for pk in heads}
    keys = sorted(heads)
    for chunk_pk in _chunks(keys):
        for t in session.scalars(
            select(Tender).where(Tender.sale_pk.in_(chunk_pk)).order_by(Tender.id)
        ):
            tenders[t.sale_pk].append((t.method, t.amount))
    return [(heads[pk], tenders[pk]) for pk in keys]


def returns_for(
    session: Session,
    store_id: int,
    *,
    node: str | None = None,
    start: datetime,
    end: datetime,
    return_ids: Iterable[str] = (),
) -> list[tuple[Return, list[tuple[str, Decimal]]]]:
    """Kiosk returns (with refund amounts) in [start, end) of a node (any kiosk when None),
    plus any listed by id: what a Z report's refunds are settled against."""
    window = [Return.store_id == store_id, Return.occurred_at >= start, Return.occurred_at < end]
    window.append(Return.node == node if node is not None else Return.node.is_not(None))
    heads = {r.id: r for r in session.scalars(select(Return).where(*window))}
    ids = sorted(set(return_ids))
    for chunk in _chunks(ids):
        for r in session.scalars(
            select(Return).where(Return.store_id == store_id, Return.return_no.in_(chunk))
        ):
            heads[r.id] = r
    refunds: dict[int, list[tuple[str, Decimal]]] = {pk: [] for pk in heads}
    keys = sorted(heads)
    for chunk_pk in _chunks(keys):
        for rf in session.scalars(
            select(ReturnRefund)
            .where(ReturnRefund.return_pk.in_(chunk_pk))
            .order_by(ReturnRefund.id)
        ):
            refunds[rf.return_pk].append((rf.method, rf.amount))
    return [(heads[pk], refunds[pk]) for pk in keys]
