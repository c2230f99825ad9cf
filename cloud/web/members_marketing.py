"""Console pages of the member programme: lookup, profile with segment and recommendations,
coupon issue, and returns by sale number or receipt QR. Same patterns as ``pages/*``:
``ViewerDep`` for login/CSRF, ``render`` for templates, domain services for the work."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import or_, select

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import CloudError
from cloud.marketing import rfm
from cloud.marketing import service as marketing
from cloud.members import coupons
from cloud.members.models import Member
from cloud.returns import repository as returns_repo
from cloud.returns import service as returns
from cloud.returns.exceptions import ReturnRefusedError
from cloud.returns.router import sale_number
from cloud.web.console import FormDep, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError

router = APIRouter(prefix="/console/crm")


@router.get("", response_class=HTMLResponse)
def lookup(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep, q: str = ""
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.STAFF)
    found: list[Member] = []
    q = q.strip()[:100]
    if q:
        found = list(
            session.scalars(
                select(Member)
                .where(
                    or_(
                        Member.phone.contains(q, autoescape=True),
                        Member.card.contains(q, autoescape=True),
                        Member.name.contains(q, autoescape=True),
                    )
                )
                .order_by(Member.id)
                .limit(50)
            )
        )
    counts = rfm.counts(marketing.segments(session, now))
    return render(request, "members/lookup.html", viewer=viewer, q=q, found=found, counts=counts)


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
    member = session.get(Member, member_id) if 0 < member_id < 2**31 else None
    if member is None:
        raise PageNotFoundError(f"member {member_id} not found")
    prof = marketing.profile(session, member_id, now)
    return render(
        request,
        "members/member.html",
        viewer=viewer,
        m=member,
        p=prof,
        coupons=marketing.member_coupons(session, member_id),
        issued=issued[:64],
    )


@router.post("/members/{member_id}/coupons")
def issue_coupon(
    member_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep, form: FormDep
) -> Response:
    viewer.require(Role.MANAGER, Role.STAFF)
    if session.get(Member, member_id) is None:
        raise PageNotFoundError(f"member {member_id} not found")
    try:
        value = Decimal(text(form, "value", 12) or "0")
        days = int(text(form, "days", 4) or "30")
    except (InvalidOperation, ValueError):
        value, days = Decimal(0), 30
    try:
        c = coupons.issue(
            session,
            prefix="CP",
            kind="amount_off",
            value=value,
            now=now,
            member_id=member_id,
            valid_from=now,
            expires_at=now + timedelta(days=max(1, min(days, 3660))),
        )
    except CloudError:
        return RedirectResponse(f"/console/crm/members/{member_id}?issued=error", 303)
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
            found = returns.find_sale(session, sale_number(sale[:300]))
        except CloudError:
            error = "Sale not found"
        if found is not None:
            if not viewer.principal.can_access_store(found.store_id):
                raise ForbiddenPageError("no access to this store")
            done = returns_repo.returned_qty(session, found.id)
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
    sale_id = sale_number(text(form, "sale_id", 300))
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
