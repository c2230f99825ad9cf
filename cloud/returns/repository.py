"""Return queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.returns.models import RefundEntry, Return, ReturnLine, ReturnRefund
from cloud.sales.models import Sale


def returned_qty(session: Session, sale_pk: int) -> dict[int, Decimal]:
    rows = session.execute(
        select(ReturnLine.line_no, func.sum(ReturnLine.qty))
        .where(ReturnLine.sale_pk == sale_pk)
        .group_by(ReturnLine.line_no)
    )
    return {int(no): Decimal(str(q)) for no, q in rows}


def refunded_by_method(session: Session, sale_pk: int) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    rows = session.execute(
        select(ReturnRefund.method, ReturnRefund.amount)
        .join(Return, Return.id == ReturnRefund.return_pk)
        .where(Return.sale_pk == sale_pk)
    )
    for method, amount in rows:
        out[method] += amount
    return dict(out)


def points_reversed(session: Session, sale_pk: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Return.points_reversed), 0)).where(
                Return.sale_pk == sale_pk
            )
        )
        or 0
    )


def for_sale(session: Session, sale_pk: int) -> Sequence[Return]:
    return session.scalars(
        select(Return).where(Return.sale_pk == sale_pk).order_by(Return.occurred_at, Return.id)
    ).all()


def in_period(
    session: Session, store_ids: list[int] | None, start: datetime, end: datetime
) -> Sequence[Return]:
    stmt = select(Return).where(Return.occurred_at >= start, Return.occurred_at < end)
    if store_ids is not None:
        stmt = stmt.where(Return.store_id.in_(store_ids))
    return session.scalars(stmt.order_by(Return.occurred_at, Return.id)).all()


def lines_of(session: Session, return_pk: int) -> Sequence[ReturnLine]:
    return session.scalars(
        select(ReturnLine).where(ReturnLine.return_pk == return_pk).order_by(ReturnLine.line_no)
    ).all()


def refunds_of(session: Session, return_pk: int) -> Sequence[ReturnRefund]:
    return session.scalars(
        select(ReturnRefund).where(ReturnRefund.return_pk == return_pk).order_by(ReturnRefund.id)
    ).all()


def refund_totals(
    session: Session, store_id: int, start: datetime, end: datetime
) -> dict[str, Decimal]:
    row = session.execute(
        select(
            func.count(RefundEntry.id),
            func.coalesce(func.sum(RefundEntry.revenue), 0),
            func.coalesce(func.sum(RefundEntry.discount), 0),
            func.coalesce(func.sum(RefundEntry.tax), 0),
            func.coalesce(func.sum(RefundEntry.cost), 0),
        ).where(
            RefundEntry.store_id == store_id,
            RefundEntry.occurred_at >= start,
            RefundEntry.occurred_at < end,
        )
    ).one()
    return {
        "count": Decimal(row[0]),
        "revenue": Decimal(str(row[1])),
        "discount": Decimal(str(row[2])),
        "tax": Decimal(str(row[3])),
        "cost": Decimal(str(row[4])),
    }


def refund_rows(
    session: Session, store_id: int, start: datetime, end: datetime
) -> Sequence[RefundEntry]:
    """Finance reversals of returns in [start, end), for the P&L beside revenue entries."""
    return session.scalars(
        select(RefundEntry).where(
            RefundEntry.store_id == store_id,
            RefundEntry.occurred_at >= start,
            RefundEntry.occurred_at < end,
        )
    ).all()


def sale_ids_of(session: Session, sale_pks: Iterable[int]) -> dict[int, str]:
    """Sale primary key → sale number, for labelling returns."""
    pks = sorted(set(sale_pks))
    if not pks:
        return {}
    return dict(session.execute(select(Sale.id, Sale.sale_id).where(Sale.id.in_(pks))).all())
