"""Console pages of the member programme: lookup, profile with segment and recommendations,
coupon issue, and returns by sale number or receipt QR. Same patterns as ``pages/*``:
``ViewerDep`` for login/CSRF, ``render`` for templates, domain services for the work."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import CloudError
from cloud.marketing import rfm
from cloud.marketing import service as marketing
from cloud.members import coupons, limits
from cloud.members import service as members
from cloud.members.models import Member
from cloud.returns import service as returns
from cloud.returns.exceptions import ReturnRefusedError
from cloud.web.console import FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console/crm")


@router.get("", response_class=HTMLResponse)
def lookup(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep, q: str = ""
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.STAFF)
    found: list[Member] = []
    q = q.strip()[:100]
    if q:
        found = list(members.search(session, q, 50))
    counts = rfm.counts(marketing.segments(session, now))
    return render(request, "members/lookup.html", viewer=viewer, q=q, found=found, counts=counts)


def _member_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    now: datetime,
    member: Member,
    *,
    issued: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "members/member.html",
        viewer=viewer,
        m=member,
        p=marketing.profile(session, member.id, now),
        coupons=marketing.member_coupons(session, member.id),
        issued=issued[:64],
        issue_error=error,
        limits=limits.current(session),
        can_issue=viewer.role in (Role.ADMIN, Role.MANAGER),
        status_code=status_code,
    )


def _member(session: Session, member_id: int) -> Member:
    member = members.member_by_id(session, member_id) if 0 < member_id < 2**31 else None
    if member is None:
        raise PageNotFoundError(f"member {member_id} not found")
    return member


@router.get("/members/{member_id}", response_class=HTMLResponse)
def member_page(
    request: Request,
    member_id: int,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    issued: str = "",
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.STAFF)
    return _member_page(request, viewer, session, now, _member(session, member_id), issued=issued)


@router.post("/members/{member_id}/coupons", response_model=None)
def issue_coupon(
    request: Request,
    member_id: int,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    form: FormDep,
) -> Response:
    """A manager's amount-off coupon for the member, within head office's limits."""
    viewer.require(Role.MANAGER)
    member = _member(session, member_id)
    try:
        value = Decimal(text(form, "value", 12) or "0")
        days = int(text(form, "days", 4) or "30")
        if not value.is_finite() or not 1 <= days <= 3660:
            raise ValueError("out of range")
    except (InvalidOperation, ValueError):
        return _member_page(
            request,
            viewer,
            session,
            now,
            member,
            error="Enter an amount and 1 to 3660 days.",
            status_code=422,
        )
    try:
        if not viewer.is_head_office:
            terms = limits.current(session)
            limits.check_terms(terms, kind="amount_off", value=value, valid_days=days)
            limits.check_daily_count(session, terms, viewer.principal.user_id, now)
        c = coupons.issue(
            session,
            prefix="CP",
            kind="amount_off",
            value=value,
            now=now,
            member_id=member_id,
            valid_from=now,
            expires_at=now + timedelta(days=days),
            issued_by_id=viewer.principal.user_id,
        )
    except CloudError as exc:
        session.rollback()
        return _member_page(request, viewer, session, now, member, error=str(exc), status_code=422)
    assert c is not None
    audit(session, viewer.principal, now, "issue", "coupon", c.id, details={"code": c.code})
    session.commit()
    return RedirectResponse(f"/console/crm/members/{member_id}?issued={c.code}", 303)


@router.get("/returns", response_class=HTMLResponse)
def return_page(
    request: Request, viewer: ViewerDep, session: SessionDep, sale: str = ""
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.STAFF)
    found = None
    lines: list[tuple[int, str, str, Decimal, Decimal]] = []
    error = ""
    if sale.strip():
        try:
            found = returns.find_sale(session, returns.sale_number(sale[:300]))
        except CloudError:
            error = "Sale not found"
        if found is not None:
            if not viewer.principal.can_access_store(found.store_id):
                raise ForbiddenPageError("no access to this store")
            done = returns.returned_qty(session, found.id)
            _, sold = returns.sold(session, found)
            lines = [
                (no, ln.name, ln.gtin, ln.qty, ln.qty - done.get(no, Decimal(0)))
                for no, ln in sorted(sold.items())
            ]
    return render(
        request,
        "members/returns.html",
        viewer=viewer,
        sale=found,
        lines=lines,
        error=error,
        result=None,
    )


@router.post("/returns", response_class=HTMLResponse)
def do_return(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep, form: FormDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.STAFF)
    sale_id = returns.sale_number(text(form, "sale_id", 300))
    wanted = []
    for key in form:
        if key.startswith("qty-"):
            try:
                qty = Decimal(text(form, key, 12) or "0")
                no = int(key[4:])
            except (InvalidOperation, ValueError):
                continue
            if qty > 0:
                where = "damaged" if form.get(f"damaged-{no}") else "restock"
                wanted.append(returns.Wanted(no, qty, where))
    error, result = "", None
    try:
        sale = returns.find_sale(session, sale_id)
        if not viewer.principal.can_access_store(sale.store_id):
            raise ForbiddenPageError("no access to this store")
        if not wanted:
            raise ReturnRefusedError("choose at least one line")
        result = returns.process_return(
            session,
            sale_id=sale_id,
            wanted=wanted,
            now=now,
            reason=text(form, "reason") or "unspecified",
            processed_by=viewer.principal.username,
        )
        audit(
            session,
            viewer.principal,
            now,
            "return",
            "sale",
            sale.id,
            details={"return_no": result.return_no},
        )
        session.commit()
    except CloudError as exc:
        session.rollback()
        error = str(exc)
    return render(
        request,
        "members/returns.html",
        viewer=viewer,
        sale=None,
        lines=[],
        error=error,
        result=result,
        status_code=200 if result else 409,
    )
