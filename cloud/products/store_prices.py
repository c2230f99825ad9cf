"""A store's own price, member price and availability for chain products.

Head office owns the product and its base price; a store manager overrides the terms in his
own store only. The override is carried by that store's price book alone, which is
republished (after commit) when an override changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.exceptions import ValidationFailedError
from cloud.products.models import Product, StorePrice
from cloud.stores.models import Store

if TYPE_CHECKING:
    from cloud.products.changes import ChangeNotifier


def _notify(session: Session, store: Store, publisher: ChangeNotifier | None) -> None:
    if publisher is not None:
        publisher.changed(session, [store.code])


def get(session: Session, store_id: int, product_id: int) -> StorePrice | None:
    stmt = select(StorePrice).where(
        StorePrice.store_id == store_id, StorePrice.product_id == product_id
    )
    return session.scalars(stmt).one_or_none()


def set_store_price(
    session: Session,
    store: Store,
    product: Product,
    *,
    price: Decimal | None,
    member_price: Decimal | None,
    available: bool,
    now: datetime,
    by: str,
    publisher: ChangeNotifier | None = None,
) -> StorePrice:
    """Create or replace the store's terms for ``product``; ``None`` keeps the chain's."""
    if price is None and member_price is None and available:
        raise ValidationFailedError(
            "an override needs a price, a member price or available=false "
            "(DELETE the override to go back to the chain's terms)"
        )
    effective = price if price is not None else product.price
    if member_price is not None and member_price > effective:
        raise ValidationFailedError(f"member_price {member_price} is above the price {effective}")
    row = get(session, store.id, product.id)
    if row is None:
        row = StorePrice(store_id=store.id, product_id=product.id)
        session.add(row)
    row.price, row.member_price, row.available = price, member_price, available
    row.updated_at, row.updated_by = now, by
    session.flush()
    _notify(session, store, publisher)
    return row


def clear_store_price(
    session: Session, store: Store, product: Product, publisher: ChangeNotifier | None = None
) -> bool:
    """Back to the chain's terms; False when the store had no override."""
    row = get(session, store.id, product.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    _notify(session, store, publisher)
    return True


def list_for_store(
    session: Session, store_id: int, *, limit: int, offset: int
) -> tuple[Sequence[tuple[StorePrice, Product]], int]:
    """The store's overrides by SKU, one page, and how many there are."""
    total = session.scalar(select(func.count(StorePrice.id)).where(StorePrice.store_id == store_id))
    stmt = (
        select(StorePrice, Product)
        .join(Product, Product.id == StorePrice.product_id)
        .where(StorePrice.store_id == store_id)
        .order_by(Product.sku)
        .limit(limit)
        .offset(offset)
    )
    rows = [(sp, p) for sp, p in session.execute(stmt)]
    return rows, int(total or 0)


def overrides(session: Session, store_id: int) -> dict[int, StorePrice]:
    """product id → the store's override (for the price book builder)."""
    stmt = select(StorePrice).where(StorePrice.store_id == store_id)
    return {row.product_id: row for row in session.scalars(stmt)}
