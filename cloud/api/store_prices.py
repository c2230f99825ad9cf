"""/stores/{store}/prices: a store's own price, member price and availability of chain products.

Managers set them in their own stores (head office and admins in any); only that store's price
book carries them, and it is republished after the change commits. Chain-wide product data
stays with head office (``/products``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import (
    CtxDep,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    catalogue_store_for,
    require_role,
)
from cloud.exceptions import NotFoundError
from cloud.products import service, store_prices
from cloud.products.models import Product, StorePrice
from cloud.products.schemas import StorePriceIn, StorePriceOut
from cloud.stores.models import Store

router = APIRouter(prefix="/stores/{store}/prices", tags=["products"])

StorePath = Annotated[str, Path(min_length=1, max_length=32, description="Store code")]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]
PriceReader = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF))]
PriceSetter = Annotated[
    Principal,
    Depends(require_role(Role.HQ, Role.MANAGER, why="store prices are set by managers")),
]


def price_out(store: Store, row: StorePrice, product: Product) -> StorePriceOut:
    price = row.price if row.price is not None else product.price
    member = row.member_price if row.member_price is not None else product.member_price
    return StorePriceOut(
        store=store.code,
        sku=product.sku,
        price=row.price,
        member_price=row.member_price,
        available=row.available,
        chain_price=product.price,
        chain_member_price=product.member_price,
        effective_price=price,
        effective_member_price=member,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


@router.get("", response_model=Page[StorePriceOut])
def list_store_prices(
    store: StorePath, user: PriceReader, session: SessionDep, page: PageDep
) -> Page[StorePriceOut]:
    """The store's overrides; every other active product sells at the chain's terms."""
    row = catalogue_store_for(session, user, store)
    rows, total = store_prices.list_for_store(session, row.id, limit=page.limit, offset=page.offset)
    items = [price_out(row, sp, p) for sp, p in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.put("/{sku}", response_model=StorePriceOut, responses={404: {}, 422: {}})
def set_store_price(
    store: StorePath,
    sku: SkuPath,
    body: StorePriceIn,
    user: PriceSetter,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> StorePriceOut:
    """Replace the store's terms for one product and republish that store's price book."""
    row = catalogue_store_for(session, user, store)
    product = service.get_product(session, sku)
    before = store_prices.get(session, row.id, product.id)
    old = None if before is None else price_out(row, before, product).model_dump(mode="json")
    sp = store_prices.set_store_price(
        session,
        row,
        product,
        price=body.price,
        member_price=body.member_price,
        available=body.available,
        now=now,
        by=user.username,
        publisher=ctx.publisher,
    )
    out = price_out(row, sp, product)
    audit(
        session,
        user,
        now,
        "set_price",
        "store_price",
        f"{row.code}/{sku}",
        store_id=row.id,
        details={"before": old, "after": body.model_dump(mode="json")},
    )
    session.commit()
    return out


@router.delete("/{sku}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
def clear_store_price(
    store: StorePath,
    sku: SkuPath,
    user: PriceSetter,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> None:
    """Back to the chain's terms in this store."""
    row = catalogue_store_for(session, user, store)
    product = service.get_product(session, sku)
    if not store_prices.clear_store_price(session, row, product, ctx.publisher):
        raise NotFoundError(f"store {store!r} has no own price for {sku!r}")
    audit(session, user, now, "clear_price", "store_price", f"{row.code}/{sku}", store_id=row.id)
    session.commit()
