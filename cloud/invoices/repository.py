"""Invoice queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.invoices.models import Invoice


def by_no(session: Session, invoice_no: str) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.invoice_no == invoice_no)).one_or_none()


def for_sale(session: Session, sale_pk: int) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.sale_pk == sale_pk)).one_or_none()


def in_period(
    session: Session, store_ids: list[int] | None, start: datetime, end: datetime
) -> Sequence[Invoice]:
    stmt = select(Invoice).where(Invoice.requested_at >= start, Invoice.requested_at < end)
    if store_ids is not None:
        stmt = stmt.where(Invoice.store_id.in_(store_ids))
    return session.scalars(stmt.order_by(Invoice.requested_at, Invoice.id)).all()
