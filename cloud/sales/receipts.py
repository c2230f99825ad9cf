"""E-receipt lookup: the sale a signed receipt token names (``/r/{token}``, SPEC §4).

A token altered in any character, one for another store's sale, or one for a sale not (yet)
received gives None, the same answer either way, so nothing is learnt by guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender
from cloud.stores.models import Store
from contracts.receipts import read_token, store_key, verify_token


@dataclass(frozen=True)
class ReceiptView:
    store: Store
    sale: Sale
    local_time: datetime
    lines: list[SaleLine]
    discounts: dict[int | None, list[SaleDiscount]]
    tenders: list[Tender]
    paid: Decimal


def find_receipt(session: Session, master: bytes, token: str) -> ReceiptView | None:
    """The sale ``token`` names, if its signature holds for its store; else None."""
    named = read_token(token)
    if named is None:
        return None
    code, sale_id = named
    if not verify_token(store_key(master, code), token):
        return None
    row = session.execute(
        select(Sale, Store).join(Store, Store.id == Sale.store_id).where(Sale.sale_id == sale_id)
    ).first()
    if row is None or row[1].code != code:
        return None
    sale, store = row
    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    lines = list(
        session.scalars(
            select(SaleLine).where(SaleLine.sale_pk == sale.id).order_by(SaleLine.line_no)
        )
    )
    discounts: dict[int | None, list[SaleDiscount]] = {}
    for d in session.scalars(select(SaleDiscount).where(SaleDiscount.sale_pk == sale.id)):
        discounts.setdefault(d.line_no, []).append(d)
    tenders = list(
        session.scalars(select(Tender).where(Tender.sale_pk == sale.id).order_by(Tender.id))
    )
    return ReceiptView(
        store=store,
        sale=sale,
        local_time=sale.completed_at.astimezone(zone),
        lines=lines,
        discounts=discounts,
        tenders=tenders,
        paid=sum((t.amount for t in tenders), Decimal(0)),
    )
