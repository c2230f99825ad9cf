"""/forecast: demand per product, backtest against seasonal-naive, reorder suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from cloud.deps import ManagerUser, NowDep, SessionDep, audit, store_for
from cloud.exceptions import NotFoundError
from cloud.forecast import service
from cloud.forecast.schemas import BacktestOut, OpenOrderIn, OpenOrderOut
from cloud.products import service as products
from cloud.reports.render import Format, respond
from cloud.reports.schemas import ReportOut

router = APIRouter(prefix="/forecast", tags=["forecast"])
StoreQ = Annotated[str, Query(max_length=32, description="Store code")]
FormatQ = Annotated[Format, Query(description="json, csv, svg (chart) or html (print)")]


@router.get("/demand", response_model=ReportOut)
def demand(
    request: Request,
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: StoreQ,
    gtin: Annotated[str, Query(pattern=r"^\d{14}$", description="GTIN-14")],
    days: Annotated[int, Query(ge=1, le=service.MAX_HORIZON, description="Horizon")] = 14,
    format: FormatQ = "json",
) -> Response:
    """Daily units from tomorrow, and the seasonal-naive forecast beside it."""
    sid = store_for(session, user, store).id
    rep = service.demand_report(session, sid, gtin, now.date(), days)
    rep.params = {"store": store, "gtin": gtin, "days": str(days)}
    return respond(rep, format, "?" + request.url.include_query_params(format="csv").query)


@router.get("/backtest", response_model=BacktestOut)
def backtest(user: ManagerUser, session: SessionDep, now: NowDep, store: StoreQ) -> BacktestOut:
    """Rolling-origin backtest (7-day horizon) over the store's last 16 weeks."""
    sid = store_for(session, user, store).id
    b = service.backtest_store(session, sid, now.date())
    return BacktestOut(
        store=store,
        horizon_days=b.horizon,
        origins=b.origins,
        wape=b.wape,
        baseline_wape=b.baseline_wape,
        beats_baseline=b.beats_baseline,
    )


@router.get("/reorder", response_model=ReportOut)
def reorder(
    request: Request,
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: StoreQ,
    lead_days: Annotated[int, Query(ge=1, le=service.MAX_HORIZON, description="Lead time")] = 3,
    service_level: Annotated[float, Query(ge=0.5, lt=1, description="Cycle service level")] = 0.95,
    format: FormatQ = "json",
) -> Response:
    """forecast over lead time + safety stock − on hand − on order, per product."""
    sid = store_for(session, user, store).id
    rep = service.reorder_report(session, sid, now.date(), lead_days, service_level)
    rep.params |= {"store": store}
    return respond(rep, format, "?" + request.url.include_query_params(format="csv").query)


@router.post("/orders", response_model=OpenOrderOut, status_code=201)
def add_order(
    body: OpenOrderIn, user: ManagerUser, session: SessionDep, now: NowDep
) -> OpenOrderOut:
    """Record an open purchase order (counted as on order until received)."""
    st = store_for(session, user, body.store)
    product = products.find_product(session, body.sku)
    if product is None:
        raise NotFoundError(f"product {body.sku!r} not found")
    row = service.add_open_order(
        session,
        store_id=st.id,
        product_id=product.id,
        qty=body.qty,
        now=now,
        expected_on=body.expected_on,
        reference=body.reference,
    )
    audit(session, user, now, "create", "open_order", row.id, store_id=st.id)
    session.commit()
    return OpenOrderOut(
        id=row.id,
        store=st.code,
        sku=product.sku,
        qty=row.qty,
        expected_on=row.expected_on,
        reference=row.reference,
    )
