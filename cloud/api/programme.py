"""/members/… programme endpoints and /coupons: balance for kiosks, tiers, opt-in, coupons.

Kept apart from ``router.py`` (profiles and the ledger) so each file stays short; registered
before it so ``/members/lookup/balance`` is not read as a member id.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import (
    CouponIssuer,
    ManagerUser,
    NowDep,
    SessionDep,
    StaffUser,
    audit,
    require_role,
)
from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.marketing import service as marketing
from cloud.members import coupons, limits, service, tiers
from cloud.members.masking import mask_name
from cloud.members.models import Coupon, Member
from cloud.members.programme_schemas import (
    BalanceOut,
    ChannelIn,
    CouponConflictOut,
    CouponIssue,
    CouponLimitsIO,
    CouponLimitsOut,
    CouponOut,
    TierChangeOut,
    TierRefreshOut,
)
from cloud.sales import service as sales
from contracts.pricebook import PointsPolicy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/members", tags=["members"])
coupons_router = APIRouter(prefix="/coupons", tags=["members"])
MemberId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CheckoutUser = Annotated[Principal, Depends(require_role(Role.MANAGER, Role.STAFF, Role.CASHIER))]
CouponChecker = Annotated[
    Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF, Role.CASHIER))
]
LimitSetter = Annotated[
    Principal, Depends(require_role(Role.HQ, why="coupon limits are set by head office"))
]


def qr_svg(code: str) -> str:
    import segno

    return str(segno.make(code, error="m").svg_inline(scale=4))


def coupon_out(c: Coupon, with_qr: bool = False) -> CouponOut:
    return CouponOut(
        code=c.code,
        kind=c.kind,
        value=c.value,
        min_spend=c.min_spend,
        member_id=c.member_id,
        valid_from=c.valid_from,
        expires_at=c.expires_at,
        redeemed_sale_id=c.redeemed_sale_id,
        qr_svg=qr_svg(c.code) if with_qr else "",
    )


def _member(session: Session, member_id: int) -> Member:
    member = service.member_by_id(session, member_id)
    if member is None:
        raise NotFoundError(f"member {member_id} not found")
    return member


@router.get("/lookup/balance", response_model=BalanceOut, responses={404: {}, 422: {}})
def balance(
    user: CheckoutUser,
    session: SessionDep,
    phone: Annotated[str | None, Query(max_length=20)] = None,
    card: Annotated[str | None, Query(max_length=40)] = None,
) -> BalanceOut:
    """One member by phone or card, as a checkout may see it: id, masked name, tier and points
    (and the points policy) — what the kiosk needs to attach the member and redeem online."""
    if phone is None and card is None:
        raise ValidationFailedError("give phone or card")
    m = service.find_member(session, phone=phone, card=card)
    policy = PointsPolicy()
    return BalanceOut(
        member_id=m.id,
        name=mask_name(m.name),
        tier=m.tier,
        points_balance=m.points_balance,
        redeem_value=policy.redeem_value,
        offline_redeem_limit=policy.offline_redeem_limit,
    )


@router.get("/{member_id}/tier-changes", response_model=list[TierChangeOut])
def tier_changes(member_id: MemberId, user: StaffUser, session: SessionDep) -> list[TierChangeOut]:
    _member(session, member_id)
    return [
        TierChangeOut(
            old_tier=c.old_tier,
            new_tier=c.new_tier,
            spend_12m=c.spend_12m,
            visits_12m=c.visits_12m,
            changed_at=c.changed_at,
        )
        for c in tiers.history(session, member_id)
    ]


@router.post("/tiers/refresh", response_model=TierRefreshOut)
def refresh(user: ManagerUser, session: SessionDep, now: NowDep) -> TierRefreshOut:
    policy = tiers.TierPolicy()
    stats = sales.member_figures(session, tiers.window_start(policy, now))
    changes = tiers.refresh_tiers(session, now=now, policy=policy, stats=stats)
    audit(session, user, now, "refresh_tiers", "member", 0, details={"changed": len(changes)})
    session.commit()
    return TierRefreshOut(changed=len(changes))


@router.put("/{member_id}/channels/{channel}", status_code=204)
def set_channel(
    member_id: MemberId,
    channel: Literal["sms", "email", "in_app"],
    body: ChannelIn,
    user: StaffUser,
    session: SessionDep,
    now: NowDep,
) -> None:
    _member(session, member_id)
    marketing.set_opt_in(session, member_id, channel, body.opted_in, now)
    audit(
        session,
        user,
        now,
        "opt_in" if body.opted_in else "opt_out",
        "member",
        member_id,
        details={"channel": channel},
    )
    session.commit()


@router.get("/{member_id}/coupons", response_model=list[CouponOut])
def member_coupons(member_id: MemberId, user: StaffUser, session: SessionDep) -> list[CouponOut]:
    _member(session, member_id)
    return [coupon_out(c) for c in marketing.member_coupons(session, member_id)]


@coupons_router.post("", response_model=CouponOut, status_code=201, responses={404: {}, 422: {}})
def issue(body: CouponIssue, user: CouponIssuer, session: SessionDep, now: NowDep) -> CouponOut:
    """One single-use code; a manager's within head office's limits (422 names the limit)."""
    if body.member_id is not None:
        _member(session, body.member_id)
    if not user.is_head_office:
        terms = limits.current(session)
        limits.check_terms(terms, kind=body.kind, value=body.value, valid_days=body.valid_days)
        limits.check_daily_count(session, terms, user.user_id, now)
    c = coupons.issue(
        session,
        prefix=body.prefix,
        kind=body.kind,
        value=body.value,
        now=now,
        member_id=body.member_id,
        min_spend=body.min_spend,
        valid_from=now,
        expires_at=now + timedelta(days=body.valid_days),
        issued_by_id=user.user_id,
    )
    assert c is not None  # no limit and no issue key: always issued
    audit(session, user, now, "issue", "coupon", c.id, details={"code": c.code})
    out = coupon_out(c, with_qr=True)
    session.commit()
    return out


def limits_out(terms: limits.Limits) -> CouponLimitsOut:
    return CouponLimitsOut(
        max_percent_off=terms.max_percent_off,
        max_amount_off=terms.max_amount_off,
        max_valid_days=terms.max_valid_days,
        max_campaign_coupons=terms.max_campaign_coupons,
        max_issued_per_day=terms.max_issued_per_day,
        updated_at=terms.updated_at,
        updated_by=terms.updated_by,
    )


@coupons_router.get("/limits", response_model=CouponLimitsOut)
def get_limits(user: CouponIssuer, session: SessionDep) -> CouponLimitsOut:
    """The limits a manager's coupons and campaigns must keep within."""
    return limits_out(limits.current(session))


@coupons_router.put("/limits", response_model=CouponLimitsOut)
def set_limits(
    body: CouponLimitsIO, user: LimitSetter, session: SessionDep, now: NowDep
) -> CouponLimitsOut:
    terms = limits.Limits(
        max_percent_off=body.max_percent_off,
        max_amount_off=body.max_amount_off,
        max_valid_days=body.max_valid_days,
        max_campaign_coupons=body.max_campaign_coupons,
        max_issued_per_day=body.max_issued_per_day,
    )
    saved = limits.save(session, terms, now=now, by=user.username)
    audit(
        session, user, now, "set_limits", "coupon_limits", 1, details=body.model_dump(mode="json")
    )
    out = limits_out(saved)
    session.commit()
    return out


@coupons_router.get("/conflicts", response_model=list[CouponConflictOut])
def list_conflicts(user: StaffUser, session: SessionDep) -> list[CouponConflictOut]:
    return [
        CouponConflictOut(
            code=c.code,
            sale_id=c.sale_id,
            node=c.node,
            reason=c.reason,
            winner_sale_id=c.winner_sale_id,
            amount=c.amount,
            occurred_at=c.occurred_at,
        )
        for c in coupons.conflicts(session)
    ]


@coupons_router.get("/{code}", response_model=CouponOut)
def check(
    code: Annotated[str, Path(min_length=1, max_length=64)],
    user: CouponChecker,
    session: SessionDep,
    now: NowDep,
    member_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> CouponOut:
    """Usable now? 422 with the reason (unknown, used, expired, not_yet, other_member)."""
    return coupon_out(coupons.check(session, code, now=now, member_id=member_id))
