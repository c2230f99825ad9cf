"""/sales: recorded sales per store (managers of the store and admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query

from cloud.deps import (
    ManagerUser,
    Page,
    PageDep,
    SessionDep,
    UtcQueryTime,
    check_store_id,
    scope_store_ids,
)
from cloud.exceptions import NotFoundError
from cloud.sales import service
from cloud.sales.models import Sale
from cloud.sales.schemas import DiscountOut, SaleDetailOut, SaleLineOut, SaleOut, TenderOut
from cloud.stores import service as stores

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/sales", tags=["sales"])


def _codes(session: Session, ids: set[int]) -> dict[int, str]:
    return stores.codes(session, ids)


def sale_out(s: Sale, store: str) -> SaleOut:
    return SaleOut(
        sale_id=s.sale_id,
        store=store,
        node=s.node,
        completed_at=s.completed_at,
        currency=s.currency,
        member_ref=s.member_ref,
        subtotal=s.subtotal,
        discount_total=s.discount_total,
        tax_total=s.tax_total,
        total=s.total,
        change=s.change,
        points_earned=s.points_earned,
        received_at=s.received_at,
    )


@router.get("", response_model=Page[SaleOut])
def list_sales(
    user: ManagerUser,
    session: SessionDep,
    page: PageDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    since: Annotated[UtcQueryTime | None, Query(description="Completed at or after")] = None,
    until: Annotated[UtcQueryTime | None, Query(description="Completed before")] = None,
    node: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[SaleOut]:
    rows, total = service.list_page(
        session,
        store_ids=scope_store_ids(session, user, store),
        since=since,
        until=until,
        node=node,
        limit=page.limit,
        offset=page.offset,
    )
    codes = _codes(session, {s.store_id for s in rows})
    items = [sale_out(s, codes.get(s.store_id, "")) for s in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{sale_id}", response_model=SaleDetailOut)
def get_sale(
    sale_id: Annotated[str, Path(min_length=1, max_length=200)],
    user: ManagerUser,
    session: SessionDep,
) -> SaleDetailOut:
    sale = service.get_sale(session, sale_id)
    if sale is None:
        raise NotFoundError(f"sale {sale_id!r} not found")
    check_store_id(user, sale.store_id)
    lines, discounts, tenders = service.parts(session, sale)
    base = sale_out(sale, _codes(session, {sale.store_id})[sale.store_id])
    return SaleDetailOut(
        **base.model_dump(),
        lines=[
            SaleLineOut(
                line_no=ln.line_no,
                gtin=ln.gtin,
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                amount=ln.amount,
                discount=ln.discount,
            )
            for ln in lines
        ],
        discounts=[
            DiscountOut(line_no=d.line_no, promotion=d.promotion, amount=d.amount)
            for d in discounts
        ],
        tenders=[
            TenderOut(method=t.method, amount=t.amount, reference=t.reference) for t in tenders
        ],
    )
