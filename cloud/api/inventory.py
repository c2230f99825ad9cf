"""/inventory/{store}: the stock ledger per store: on-hand, movements, receiving, adjustments,
stocktake and transfers (staff and managers of the store, admins)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from cloud.auth.service import Principal
from cloud.deps import (
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    UtcQueryTime,
    audit,
    store_for,
)
from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.inventory import service
from cloud.inventory.models import Movement
from cloud.inventory.schemas import (
    AdjustmentIn,
    MovementOut,
    OnHandOut,
    ReceivingIn,
    StocktakeIn,
    TransferIn,
)
from cloud.orders import service as orders
from cloud.products import service as products
from cloud.products.models import Product
from cloud.stores import service as stores
from cloud.stores.models import Store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/inventory/{store}", tags=["inventory"])

StorePath = Annotated[str, Path(min_length=1, max_length=32, description="Store code")]
MovementKind = Literal[
    "receiving", "sale", "adjustment", "stocktake", "transfer_out", "transfer_in"
]


def _product(session: Session, sku: str) -> Product:
    product = products.find_product(session, sku)
    if product is None:
        raise NotFoundError(f"product {sku!r} not found")
    return product


def _out(m: Movement, store: Store, sku: str | None) -> MovementOut:
    return MovementOut(
        id=m.id,
        store=store.code,
        sku=sku,
        gtin=m.gtin,
        kind=m.kind,
        qty=m.qty,
        unit_cost=m.unit_cost,
        reference=m.reference,
        reason=m.reason,
        occurred_at=m.occurred_at,
    )


def _written(
    session: Session, user: Principal, now: NowDep, store: Store, rows: list[tuple[Movement, str]]
) -> list[MovementOut]:
    for m, sku in rows:
        audit(
            session,
            user,
            now,
            m.kind,
            "inventory",
            m.id,
            store_id=m.store_id,
            details={"sku": sku, "qty": m.qty, "reference": m.reference, "reason": m.reason},
        )
    out = [_out(m, store, sku) for m, sku in rows if m.store_id == store.id]
    session.commit()
    return out


@router.get("/on-hand", response_model=Page[OnHandOut])
def on_hand(
    store: StorePath,
    user: StaffUser,
    session: SessionDep,
    page: PageDep,
    sku: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[OnHandOut]:
    """Stock on hand per product: the sum of the store's ledger; ``reserved`` is what open
    online orders hold of it, ``available`` the rest."""
    row = store_for(session, user, store)
    rows, total = service.on_hand_page(session, row.id, sku, page.limit, page.offset)
    held = orders.reserved(session, row.id)
    ids = products.ids_by_sku(session, [s for s, _, _ in rows])
    items = []
    for s, n, q in rows:
        r = held.get(ids.get(s, 0), Decimal(0)).quantize(Decimal("0.001"))
        items.append(OnHandOut(sku=s, name=n, on_hand=q, reserved=r, available=q - r))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/movements", response_model=Page[MovementOut])
def movements(
    store: StorePath,
    user: StaffUser,
    session: SessionDep,
    page: PageDep,
    kind: MovementKind | None = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    since: UtcQueryTime | None = None,
) -> Page[MovementOut]:
    row = store_for(session, user, store)
    rows, total = service.movement_page(
        session,
        row.id,
        kind=kind,
        product_id=None if sku is None else _product(session, sku).id,
        since=since,
        limit=page.limit,
        offset=page.offset,
    )
    skus = products.skus_by_id(session, {m.product_id for m in rows if m.product_id is not None})
    items = [_out(m, row, skus.get(m.product_id or 0)) for m in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/receiving", response_model=MovementOut, status_code=status.HTTP_201_CREATED)
def receive(
    store: StorePath, body: ReceivingIn, user: StaffUser, session: SessionDep, now: NowDep
) -> MovementOut:
    row = store_for(session, user, store)
    product = _product(session, body.sku)
    m = service.move(
        session,
        store_id=row.id,
        product_id=product.id,
        kind="receiving",
        qty=body.qty,
        now=now,
        unit_cost=body.unit_cost,
        reference=body.reference,
    )
    return _written(session, user, now, row, [(m, body.sku)])[0]


@router.post("/adjustments", response_model=MovementOut, status_code=status.HTTP_201_CREATED)
def adjust(
    store: StorePath, body: AdjustmentIn, user: StaffUser, session: SessionDep, now: NowDep
) -> MovementOut:
    """A negative adjustment below zero on hand is refused or flagged per the store's
    ``negative_stock`` setting (409 when refused)."""
    if body.qty == 0:
        raise ValidationFailedError("an adjustment of zero changes nothing")
    row = store_for(session, user, store)
    product = _product(session, body.sku)
    if body.qty < 0:
        service.check_outflow(session, row, product.id, -body.qty, now)
    m = service.move(
        session,
        store_id=row.id,
        product_id=product.id,
        kind="adjustment",
        qty=body.qty,
        now=now,
        reason=body.reason,
    )
    return _written(session, user, now, row, [(m, body.sku)])[0]


@router.post("/stocktake", response_model=list[MovementOut], status_code=status.HTTP_201_CREATED)
def stocktake(
    store: StorePath, body: StocktakeIn, user: StaffUser, session: SessionDep, now: NowDep
) -> list[MovementOut]:
    """One variance movement per counted product (zero variance is recorded too); every
    line says why (its ``reason``: no default, a variance without one is a 422)."""
    row = store_for(session, user, store)
    skus = sorted({count.sku for count in body.counts})
    ids = products.ids_by_sku(session, skus)
    missing = [sku for sku in skus if sku not in ids]
    if missing:
        raise NotFoundError(f"product(s) not found: {', '.join(map(repr, missing[:20]))}")
    moves = service.stocktake_counts(
        session,
        store_id=row.id,
        counts=[(ids[c.sku], c.counted, c.reason) for c in body.counts],
        now=now,
    )
    return _written(
        session, user, now, row, [(m, c.sku) for m, c in zip(moves, body.counts, strict=True)]
    )


@router.post("/transfers", response_model=list[MovementOut], status_code=status.HTTP_201_CREATED)
def transfer(
    store: StorePath, body: TransferIn, user: StaffUser, session: SessionDep, now: NowDep
) -> list[MovementOut]:
    """Out of this store (scope checked) into ``to_store`` (must exist); never more than
    this store has on hand (409)."""
    row = store_for(session, user, store)
    target = stores.find_store(session, body.to_store)
    if target is None:
        raise NotFoundError(f"store {body.to_store!r} not found")
    if target.id == row.id:
        raise ValidationFailedError("cannot transfer to the same store")
    product = _product(session, body.sku)
    out_m, in_m = service.transfer(
        session,
        from_store=row,
        to_store=target.id,
        product_id=product.id,
        qty=body.qty,
        now=now,
        reference=body.reference,
    )
    result = _written(session, user, now, row, [(out_m, body.sku), (in_m, body.sku)])
    return [*result, _out(in_m, target, body.sku)]
