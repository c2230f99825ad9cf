"""Invoices (发票) in the console: the viewer's stores' invoices of the last 30 days, newest
first, with the API's PDF of each and the period's CSV export (the API does the work)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.invoices import listing, service
from cloud.web.console import ViewerDep, render

router = APIRouter(prefix="/console")
DAYS = 30


@router.get("/invoices", response_class=HTMLResponse)
def invoices(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep, store: str = ""
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    stores = viewer.stores(session)
    chosen = [s for s in stores if s.code == store[:32]] or stores
    start = now - timedelta(days=DAYS)
    rows = listing.recent(session, [s.id for s in chosen], start, now)
    query = {"from": start.isoformat(), "to": now.isoformat()}
    if len(chosen) == 1:
        query["store"] = chosen[0].code
    return render(
        request,
        "invoices.html",
        viewer=viewer,
        stores=stores,
        chosen=store if len(chosen) == 1 else "",
        codes={s.id: s for s in stores},
        rows=rows,
        sale_ids=service.sale_ids_of(session, rows),
        csv="/api/v1/invoices/export.csv?" + urlencode(query),
        days=DAYS,
    )
