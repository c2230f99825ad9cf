"""Console pages of the member programme that are not in ``cloud.web.members_marketing``:
head office's coupon limits (managers see them, admins and ``hq`` set them)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.members import limits
from cloud.web.console import FieldErrors, FormDep, ViewerDep, decimal_field, int_field, render
from cloud.web.forms import saved

router = APIRouter(prefix="/console")

INT_LIMITS = {
    "max_valid_days": (1, 3660),
    "max_campaign_coupons": (1, 10_000_000),
    "max_issued_per_day": (0, 100_000),
}


@router.get("/coupon-limits", response_class=HTMLResponse)
def coupon_limits(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
    return render(
        request,
        "members/coupon_limits.html",
        viewer=viewer,
        limits=limits.current(session),
        form=None,
        errors=FieldErrors(),
    )


@router.post("/coupon-limits", response_model=None)
def set_coupon_limits(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    viewer.require(Role.HQ)
    errors = FieldErrors()
    t = viewer.t
    percent = decimal_field(
        form, "max_percent_off", errors, t, minimum=Decimal("0.01"), maximum=Decimal(100)
    )
    amount = decimal_field(
        form, "max_amount_off", errors, t, minimum=Decimal("0.01"), maximum=Decimal(100000)
    )
    ints = {
        name: int_field(form, name, errors, t, minimum=low, maximum=high)
        for name, (low, high) in INT_LIMITS.items()
    }
    if errors or percent is None or amount is None or None in ints.values():
        return render(
            request,
            "members/coupon_limits.html",
            viewer=viewer,
            limits=limits.current(session),
            form=form,
            errors=errors,
            status_code=422,
        )
    terms = limits.Limits(
        max_percent_off=percent,
        max_amount_off=amount,
        max_valid_days=int(ints["max_valid_days"] or 0),
        max_campaign_coupons=int(ints["max_campaign_coupons"] or 0),
        max_issued_per_day=int(ints["max_issued_per_day"] or 0),
    )
    limits.save(session, terms, now=now, by=viewer.principal.username)
    return saved(
        session,
        viewer,
        now,
        "set_limits",
        "coupon_limits",
        limits.LIMITS_ID,
        to="/console/coupon-limits?saved=1",
        details={
            "max_percent_off": percent,
            "max_amount_off": amount,
            **ints,
            "via": "console",
        },
    )
