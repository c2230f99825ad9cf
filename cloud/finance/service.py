"""Revenue entries (one per sale, same transaction), expenses, profit and loss, settlement.

Money stays Decimal end to end: sums come from the database as NUMERIC (rounded to the cent
on SQLite, which keeps floats), and every derived figure is computed here with Decimal.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.db.upsert import bulk_insert
from cloud.finance import repository
from cloud.finance.costing import LedgerRow, walk
from cloud.finance.exceptions import FinanceError
from cloud.finance.models import Expense, RecurringExpense, RevenueEntry
from cloud.finance.periods import Period, buckets, monthly_occurrences
from cloud.finance.settlement import RecordedReturn, RecordedSale, Settlement, settle
from cloud.returns import service as returns
from cloud.stores.localtime import zone
from cloud.stores.models import Store
from contracts.messages import ZReportData

log = logging.getLogger(__name__)

EXPENSE_CATEGORIES = ("purchasing", "rent", "wages", "utilities", "other")


def record_revenue(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert; ``sale_pk`` is UNIQUE so a sale can never be counted twice."""
    if rows:
        bulk_insert(session, RevenueEntry, list(rows))


def revenue_row(
    *,
    store_id: int,
    sale_pk: int,
    at: datetime,
    subtotal: Decimal,
    discount: Decimal,
    tax: Decimal,
    tax_inclusive: bool,
    cost: Decimal,
) -> dict[str, Any]:
    """Revenue is net of discounts and tax."""
    net = subtotal - discount - (tax if tax_inclusive else Decimal(0))
    return {
        "store_id": store_id,
        "sale_pk": sale_pk,
        "occurred_at": at,
        "revenue": net,
        "discount": discount,
        "tax": tax,
        "cost": cost,
    }


def add_expense(
    session: Session, *, store_id: int, category: str, amount: Decimal, on: date, note: str = ""
) -> Expense:
    _check_expense(category, amount)
    row = Expense(store_id=store_id, category=category, amount=amount, incurred_on=on, note=note)
    session.add(row)
    session.flush()
    return row


def profit(session: Session, store_id: int, start: datetime, end: datetime) -> dict[str, Decimal]:
    """Revenue, tax, cost of goods and gross profit in [start, end)."""
    t = repository.totals(session, store_id, start, end)
    back = returns.refund_totals(session, store_id, start, end)  # returns reverse revenue and cost
    t = {k: v + back[k] if k != "count" else v for k, v in t.items()}
    return {**t, "gross_profit": t["revenue"] - t["cost"]}


ZERO = Decimal("0.00")


def _check_expense(category: str, amount: Decimal) -> None:
    if category not in EXPENSE_CATEGORIES:
        raise FinanceError(f"expense category must be one of {EXPENSE_CATEGORIES}")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise FinanceError("expense amount must be a non-negative amount in cents")


def add_recurring_expense(
    session: Session,
    *,
    store_id: int,
    category: str,
    amount: Decimal,
    starts_on: date,
    day_of_month: int = 1,
    ends_on: date | None = None,
    note: str = "",
) -> RecurringExpense:
    """A monthly expense (rent, wages …) counted in every period it falls in."""
    _check_expense(category, amount)
    if not 1 <= day_of_month <= 31:
        raise FinanceError("day_of_month must be 1..31")
    if ends_on is not None and ends_on < starts_on:
        raise FinanceError("ends_on is before starts_on")
    row = RecurringExpense(
        store_id=store_id,
        category=category,
        amount=amount,
        day_of_month=day_of_month,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class ExpenseItem:
    """A one-off expense (``id`` its own) or one occurrence of a recurring one (``id`` the
    recurring expense's, as its creation answered)."""

    id: int
    on: date
    category: str
    amount: Decimal
    note: str
    recurring: bool


def expense_items(session: Session, store_id: int, first: date, last: date) -> list[ExpenseItem]:
    """One-off expenses plus each occurrence of the recurring ones, in [first, last]."""
    items = [
        ExpenseItem(e.id, e.incurred_on, e.category, e.amount, e.note, False)
        for e in repository.expenses(session, store_id, first, last)
    ]
    for r in repository.recurring(session, store_id, first, last):
        items.extend(
            ExpenseItem(r.id, on, r.category, r.amount, r.note, True)
            for on in monthly_occurrences(r.day_of_month, r.starts_on, r.ends_on, first, last)
        )
    return sorted(items, key=lambda i: (i.on, i.category))


@dataclass
class PnlRow:
    """Profit and loss of one period: net_profit = revenue - cogs - expenses."""

    start: date
    end: date
    sales_count: int = 0
    revenue: Decimal = ZERO
    discounts: Decimal = ZERO
    tax: Decimal = ZERO
    cogs: Decimal = ZERO
    expenses: Decimal = ZERO
    expenses_by_category: dict[str, Decimal] = field(default_factory=dict)

    @property
    def gross_profit(self) -> Decimal:
        return self.revenue - self.cogs

    @property
    def net_profit(self) -> Decimal:
        return self.revenue - self.cogs - self.expenses


def local_window(store: Store, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants bounding the store's local business days [first, last]."""
    tz = zone(store.timezone)
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def profit_and_loss(
    session: Session, store: Store, period: Period, first: date, last: date
) -> list[PnlRow]:
    """Revenue, discounts, tax, moving-average cost of goods and expenses per period."""
    if last < first:
        raise FinanceError("'to' is before 'from'")
    tz = zone(store.timezone)
    start, end = local_window(store, first, last)
    rows = [PnlRow(a, b) for a, b in buckets(first, last, period)]

    def bucket(day: date) -> PnlRow | None:
        for row in rows:
            if row.start <= day <= row.end:
                return row
        return None

    for entry in repository.revenue_rows(session, store.id, start, end):
        if (row := bucket(entry.occurred_at.astimezone(tz).date())) is not None:
            row.sales_count += 1
            row.revenue += entry.revenue
            row.discounts += entry.discount
            row.tax += entry.tax
    for refund in returns.refund_rows(session, store.id, start, end):  # returns reverse revenue
        if (row := bucket(refund.occurred_at.astimezone(tz).date())) is not None:
            row.revenue += refund.revenue
            row.discounts += refund.discount
            row.tax += refund.tax
    costed = walk(repository.ledger(session, store.id, end))
    for move, cost in costed.cogs:
        if move.occurred_at >= start and (row := bucket(move.occurred_at.astimezone(tz).date())):
            row.cogs += cost
    by_cat: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for item in expense_items(session, store.id, first, last):
        if (row := bucket(item.on)) is not None:
            row.expenses += item.amount
            cats = by_cat[id(row)]
            cats[item.category] = cats.get(item.category, ZERO) + item.amount
    for row in rows:
        row.expenses_by_category = dict(sorted(by_cat[id(row)].items()))
    return rows


def settle_day(session: Session, store: Store, day: date) -> list[Settlement]:
    """Every kiosk's Z report(s) of the business day against the recorded sales and returns."""
    start, end = local_window(store, day, day)
    out: list[Settlement] = []
    seen_nodes: set[str] = set()
    for z in repository.zreports(session, store.id, day):
        seen_nodes.add(z.node)
        try:
            data = ZReportData.model_validate(z.data)
        except ValueError as exc:
            log.warning("stored Z report %s/%s unreadable: %s", z.node, z.report_no, exc)
            continue
        opened, closed = data.opened_at, data.closed_at + timedelta(microseconds=1)
        recorded = repository.sales_for(
            session, store.id, node=z.node, start=opened, end=closed, sale_ids=data.sale_ids
        )
        returned = repository.returns_for(
            session, store.id, node=z.node, start=opened, end=closed, return_ids=data.return_ids
        )
        out.append(
            settle(
                z.node,
                data,
                [_recorded(s, t) for s, t in recorded],
                [_returned(r, refunds) for r, refunds in returned],
            )
        )
    day_sales = repository.sales_for(session, store.id, start=start, end=end)
    orphans: dict[str, list[RecordedSale]] = defaultdict(list)
    for sale, tenders in day_sales:
        if sale.node not in seen_nodes:
            orphans[sale.node].append(_recorded(sale, tenders))
    orphan_returns: dict[str, list[RecordedReturn]] = defaultdict(list)
    for ret, refunds in repository.returns_for(session, store.id, start=start, end=end):
        if ret.node is not None and ret.node not in seen_nodes:
            orphan_returns[ret.node].append(_returned(ret, refunds))
    out.extend(
        settle(node, None, orphans.get(node, []), orphan_returns.get(node, []))
        for node in sorted(set(orphans) | set(orphan_returns))
    )
    return out


def _recorded(sale: Any, tenders: list[tuple[str, Decimal]]) -> RecordedSale:
    return RecordedSale(sale.sale_id, sale.total, sale.change, tuple(tenders))


def _returned(ret: Any, refunds: list[tuple[str, Decimal]]) -> RecordedReturn:
    return RecordedReturn(ret.return_no, tuple(refunds))


def ledger(session: Session, store_id: int, until: datetime) -> list[LedgerRow]:
    """Every stock movement of the store before ``until``, in time order (stock reports)."""
    return repository.ledger(session, store_id, until)
