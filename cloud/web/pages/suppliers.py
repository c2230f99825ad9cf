"""Suppliers in the console: the chain's supplier master with what each supplies, its CSV
export, and (head office) the CSV import, row by row with line-numbered errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.suppliers import service
from cloud.web.console import FormDep, ViewerDep, render

router = APIRouter(prefix="/console")
PAGE = 50
MAX_CSV = 2_000_000


@router.get("/suppliers", response_class=HTMLResponse)
def supplier_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    viewer.require(Role.HQ, Role.MANAGER, Role.STAFF)
    rows, total = service.page(session, q.strip(), PAGE, offset)
    items = {r.id: service.items(session, r.id) for r in rows}
    return render(
        request,
        "purchasing/suppliers.html",
        viewer=viewer,
        rows=rows,
        items=items,
        total=total,
        q=q,
        offset=offset,
        page=PAGE,
        result=None,
    )


@router.post("/suppliers/import", response_class=HTMLResponse)
def supplier_import(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> HTMLResponse:
    """Pasted CSV (the export's columns): good rows applied, bad rows listed by line."""
    viewer.require(Role.HQ)
    raw = form.get("csv")
    text = raw[:MAX_CSV] if isinstance(raw, str) else ""
    result = service.import_csv(session, text, now)
    audit(session, viewer.principal, now, "import", "supplier", details={"created": result.created})
    session.commit()
    rows, total = service.page(session, "", PAGE, 0)
    items = {r.id: service.items(session, r.id) for r in rows}
    return render(
        request,
        "purchasing/suppliers.html",
        viewer=viewer,
        rows=rows,
        items=items,
        total=total,
        q="",
        offset=0,
        page=PAGE,
        result=result,
    )
