"""/inventory/{store}: the stock ledger per store: on-hand, movements, receiving, adjustments,
stocktake and transfers (staff and managers of the store, admins)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.auth.service import Principal
from cloud.deps import (
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    UtcQueryTime,
    audit,
    paginate,
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
from cloud.products.models import Product
from cloud.stores.models import Store

router = APIRouter(prefix="/inventory/{store}", tags=["inventory"])

StorePath = Annotated[str, Path(min_length=1, max_length=32, description="Store code")]
MovementKind = Literal[
    "receiving", "sale", "adjustment", "stocktake", "transfer_out", "transfer_in"
]


def _product(session: Session, sku: str) -> Product:
    product = session.scalars(select(Product).where(Product.sku == sku)).one_or_none()
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
    """Stock on hand per product: the sum of the store's ledger."""
    row = store_for(session, user, store)
    qty = func.sum(Movement.qty)
    stmt = (
        select(Product.sku, Product.name, qty)
        .join(Product, Product.id == Movement.product_id)
        .where(Movement.store_id == row.id)
        .group_by(Product.sku, Product.name)
        .order_by(Product.sku)
    )
    if sku is not None:
        stmt = stmt.where(Product.sku == sku)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(page.limit).offset(page.offset)).all()
    items = [OnHandOut(sku=s, name=n, on_hand=q) for s, n, q in rows]
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
    stmt = (
        select(Movement)
        .where(Movement.store_id == row.id)
        .order_by(Movement.occurred_at.desc(), Movement.id.desc())
    )
    if kind is not None:
        stmt = stmt.where(Movement.kind == kind)
    if sku is not None:
        stmt = stmt.where(Movement.product_id == _product(session, sku).id)
    if since is not None:
        stmt = stmt.where(Movement.occurred_at >= since)
    rows, total = paginate(session, stmt, page)
    ids = {m.product_id for m in rows if m.product_id is not None}
    found = session.execute(select(Product.id, Product.sku).where(Product.id.in_(ids)))
    skus = {pid: sku for pid, sku in found}
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
    if body.qty == 0:
        raise ValidationFailedError("an adjustment of zero changes nothing")
    row = store_for(session, user, store)
    product = _product(session, body.sku)
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
    """One variance movement per counted product (zero variance is recorded too)."""
    row = store_for(session, user, store)
    written = []
    for count in body.counts:
        product = _product(session, count.sku)
        m = service.stocktake(
            session,
            store_id=row.id,
            product_id=product.id,
            counted=count.counted,
            now=now,
            reason=count.reason,
        )
        written.append((m, count.sku))
    return _written(session, user, now, row, written)


@router.post("/transfers", response_model=list[MovementOut], status_code=status.HTTP_201_CREATED)
def transfer(
    store: StorePath, body: TransferIn, user: StaffUser, session: SessionDep, now: NowDep
) -> list[MovementOut]:
    """Out of this store (scope checked) into ``to_store`` (must exist)."""
    row = store_for(session, user, store)
    target = session.scalars(select(Store).where(Store.code == body.to_store)).one_or_none()
    if target is None:
        raise NotFoundError(f"store {body.to_store!r} not found")
    if target.id == row.id:
        raise ValidationFailedError("cannot transfer to the same store")
    product = _product(session, body.sku)
    out_m, in_m = service.transfer(
        session,
        from_store=row.id,
        to_store=target.id,
        product_id=product.id,
        qty=body.qty,
        now=now,
        reference=body.reference,
    )
    result = _written(session, user, now, row, [(out_m, body.sku), (in_m, body.sku)])
    return [*result, _out(in_m, target, body.sku)]
