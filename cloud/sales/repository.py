"""Sales queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.sales.models import Sale, SaleLine, Tender
from cloud.stores.models import Store


def by_sale_id(session: Session, sale_id: str) -> Sale | None:
    return session.scalars(select(Sale).where(Sale.sale_id == sale_id)).one_or_none()


def lines(session: Session, sale_pk: int) -> Sequence[SaleLine]:
    return session.scalars(
        select(SaleLine).where(SaleLine.sale_pk == sale_pk).order_by(SaleLine.line_no)
    ).all()


def tenders(session: Session, sale_pk: int) -> Sequence[Tender]:
    return session.scalars(select(Tender).where(Tender.sale_pk == sale_pk)).all()


def query(
    session: Session,
    *,
    store: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Sale]:
    stmt = select(Sale).order_by(Sale.completed_at.desc(), Sale.id.desc())
    if store is not None:
        stmt = stmt.join(Store, Store.id == Sale.store_id).where(Store.code == store)
    if since is not None:
        stmt = stmt.where(Sale.completed_at >= since)
    if until is not None:
        stmt = stmt.where(Sale.completed_at < until)
    return session.scalars(stmt.limit(limit).offset(offset)).all()
