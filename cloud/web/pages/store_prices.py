"""A store's own prices: the manager's page for his store (head office may open any store's).

``/console/s/{store}/prices`` lists the store's overrides and sets one (SKU, price, member
price, availability); only that store's price book changes. Included by the products pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep
from cloud.exceptions import ValidationFailedError
from cloud.products import service, store_prices
from cloud.stores.models import Store
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, decimal_field, render, text
from cloud.web.forms import refused, saved

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter()
"""Paths relative to ``/console``: included by the products pages' router."""

PAGE = 500


def local_time(value: datetime, zone: str) -> str:
    """A time as the store's people read it: in the store's timezone, with its name."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M ") + str(tz)


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    form: FormData | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows, total = store_prices.list_for_store(session, store.id, limit=PAGE, offset=0)
    return render(
        request,
        "store_prices.html",
        viewer=viewer,
        store=store,
        rows=[(sp, p, local_time(sp.updated_at, store.timezone)) for sp, p in rows],
        total=total,
        form=form,
        errors=errors or FieldErrors(),
        status_code=status_code,
    )


@router.get("/s/{code}/prices", response_class=HTMLResponse)
def prices_page(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
    return _page(request, viewer, session, viewer.catalogue_store(session, code))


@router.post("/s/{code}/prices", response_model=None)
def set_price(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER, Role.HQ)
    store = viewer.catalogue_store(session, code)
    errors = FieldErrors()
    t = viewer.t
    sku = text(form, "sku", 64)
    product = service.find_product(session, sku) if sku and "\x00" not in sku else None
    if product is None:
        errors["sku"] = t("err.unknown")
    price = decimal_field(form, "price", errors, t, required=False)
    member_price = decimal_field(form, "member_price", errors, t, required=False)
    available = form.get("available") is not None
    if not errors and product is not None:
        try:
            store_prices.set_store_price(
                session,
                store,
                product,
                price=price,
                member_price=member_price,
                available=available,
                now=now,
                by=viewer.principal.username,
                publisher=ctx.publisher,
            )
        except ValidationFailedError as exc:
            refused(session, errors, "member_price" if "member" in str(exc) else "price", str(exc))
        else:
            return saved(
                session,
                viewer,
                now,
                "set_price",
                "store_price",
                f"{store.code}/{sku}",
                to=f"/console/s/{store.code}/prices?saved=1",
                store_id=store.id,
                details={
                    "price": price,
                    "member_price": member_price,
                    "available": available,
                    "via": "console",
                },
            )
    return _page(request, viewer, session, store, form, errors, 422)


@router.post("/s/{code}/prices/{sku}/delete", response_model=None)
def clear_price(
    code: str,
    sku: str,
    viewer: ViewerDep,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER, Role.HQ)
    store = viewer.catalogue_store(session, code)
    product = service.find_product(session, sku[:64]) if "\x00" not in sku else None
    if product is not None and store_prices.clear_store_price(
        session, store, product, ctx.publisher
    ):
        return saved(
            session,
            viewer,
            now,
            "clear_price",
            "store_price",
            f"{store.code}/{sku}",
            to=f"/console/s/{store.code}/prices?saved=1",
            store_id=store.id,
            details={"via": "console"},
        )
    return RedirectResponse(f"/console/s/{store.code}/prices", status_code=303)
