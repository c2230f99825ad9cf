"""What each store owes its suppliers: goods received (net of returns) not yet paid, and how
much of it is already due by the supplier's payment terms (each receipt is due its terms'
days after it arrived)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.exceptions import InvalidTransitionError, ValidationFailedError
from cloud.purchasing import planning, repository
from cloud.purchasing.models import PurchaseOrder
from cloud.suppliers import service as suppliers

BILLED = ("partially_received", "received", "closed")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Payable:
    supplier: str
    name: str
    received: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    due_gross: Decimal = Decimal(0)
    next_due_on: date | None = None

    @property
    def balance(self) -> Decimal:
        return self.received - self.paid

    @property
    def due(self) -> Decimal:
        return max(min(self.due_gross - self.paid, self.balance), Decimal(0))


def owed(session: Session, order: PurchaseOrder) -> Decimal:
    """Value received on the order, net of returns."""
    return sum(
        (
            planning.amount(ln.qty_received - ln.qty_returned, ln.unit_cost)
            for ln in repository.lines(session, order.id)
        ),
        Decimal(0),
    )


def payables(session: Session, store_ids: Collection[int] | None, today: date) -> list[Payable]:
    """Per supplier with anything received: received, paid, balance and what is due."""
    found = repository.orders_since(session, store_ids, EPOCH, BILLED)
    lines = repository.lines_of(session, [o.id for o in found])
    by_line = {ln.id: ln for rows in lines.values() for ln in rows}
    names = suppliers.by_ids(session, {o.supplier_id for o in found})
    out: dict[int, Payable] = {}
    for order in found:
        s = names[order.supplier_id]
        row = out.setdefault(s.id, Payable(s.code, s.name))
        row.received += sum(
            (
                planning.amount(ln.qty_received - ln.qty_returned, ln.unit_cost)
                for ln in lines[order.id]
            ),
            Decimal(0),
        )
        row.paid += order.paid_amount
    for order_id, line_id, qty, _, at in repository.receipts_of(session, [o.id for o in found]):
        order = next(o for o in found if o.id == order_id)
        s = names[order.supplier_id]
        due_on = at.date() + timedelta(days=s.payment_terms_days)
        if due_on <= today:
            out[s.id].due_gross += planning.amount(qty, by_line[line_id].unit_cost)
        elif out[s.id].next_due_on is None or due_on < out[s.id].next_due_on:  # type: ignore[operator]
            out[s.id].next_due_on = due_on
    return sorted(out.values(), key=lambda p: p.supplier)


def pay(session: Session, order: PurchaseOrder, amount: Decimal) -> PurchaseOrder:
    """Record a payment to the supplier against the order (never more than is owed)."""
    if order.status not in BILLED:
        raise InvalidTransitionError(f"nothing has been received on a {order.status} order")
    if amount <= 0 or order.paid_amount + amount > owed(session, order):
        raise ValidationFailedError(
            f"at most {owed(session, order) - order.paid_amount} is still owed on {order.number}"
        )
    order.paid_amount += amount
    session.flush()
    return order
