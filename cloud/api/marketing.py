"""/marketing: segments (RFM and the builder), member profiles, recommendations, campaigns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from cloud.deps import (
    CatalogueReader,
    CouponIssuer,
    NowDep,
    SessionDep,
    StaffUser,
    audit,
)
from cloud.exceptions import ConflictError, NotFoundError
from cloud.marketing import rfm, service
from cloud.marketing.channels import Channel, DevelopmentChannel
from cloud.marketing.models import Campaign
from cloud.marketing.schemas import CampaignIn, ProfileOut, SegmentIn, SendOut
from cloud.members import limits
from cloud.members import service as members

router = APIRouter(prefix="/marketing", tags=["marketing"])


def channel_for(request: Request) -> Channel:
    """The app's channel (set by whoever builds the app); a storing one for development."""
    channel = getattr(request.app.state, "marketing_channel", None)
    if channel is None:
        channel = DevelopmentChannel()
        request.app.state.marketing_channel = channel
    return channel


@router.get("/segments", response_model=dict[str, int])
def segment_counts(user: CouponIssuer, session: SessionDep, now: NowDep) -> dict[str, int]:
    return rfm.counts(service.segments(session, now))


@router.post("/segments/preview", response_model=list[int])
def preview(body: SegmentIn, user: CouponIssuer, session: SessionDep, now: NowDep) -> list[int]:
    return service.select_members(session, body.definition, now)[:1000]


@router.get("/members/{member_id}/profile", response_model=ProfileOut)
def profile(
    member_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: StaffUser,
    session: SessionDep,
    now: NowDep,
) -> ProfileOut:
    if members.member_by_id(session, member_id) is None:
        raise NotFoundError(f"member {member_id} not found")
    p = service.profile(session, member_id, now)
    return ProfileOut(
        member_id=member_id,
        segment=p.rfm.segment,
        r=p.rfm.r,
        f=p.rfm.f,
        m=p.rfm.m,
        visits=p.visits,
        spend=p.spend,
        average_basket=p.average_basket,
        favourite_categories=[c for c, _ in p.favourite_categories],
        recommendations=[{"gtin": g, "name": n} for g, n in p.recommendations],
    )


@router.get("/together", response_model=list[str])
def together(
    user: CatalogueReader, session: SessionDep, gtin: Annotated[str, Query(pattern=r"^\d{14}$")]
) -> list[str]:
    return service.together(session, gtin)


@router.post(
    "/campaigns", status_code=201, response_model=dict[str, int], responses={409: {}, 422: {}}
)
def create_campaign(
    body: CampaignIn, user: CouponIssuer, session: SessionDep, now: NowDep
) -> dict[str, int]:
    """A manager's campaign keeps within head office's coupon limits (422 names the limit);
    ``max_coupons`` defaults to the largest campaign allowed."""
    terms = limits.current(session)
    max_coupons = body.max_coupons or terms.max_campaign_coupons
    if not user.is_head_office:
        limits.check_terms(
            terms, kind=body.coupon_kind, value=body.coupon_value, valid_days=body.valid_days
        )
        limits.check_campaign_size(terms, max_coupons)
    if service.campaign_by_code(session, body.code) is not None:
        raise ConflictError(f"campaign {body.code} exists")
    service.check_segment(body.segment)
    row = Campaign(
        **body.model_dump(exclude={"max_coupons"}), max_coupons=max_coupons, created_at=now
    )
    session.add(row)
    session.flush()
    audit(session, user, now, "create", "campaign", row.id, details={"code": body.code})
    session.commit()
    return {"id": row.id}


@router.post("/campaigns/{code}/send", response_model=SendOut)
def send(
    code: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$")],
    request: Request,
    user: CouponIssuer,
    session: SessionDep,
    now: NowDep,
    per_minute: Annotated[int, Query(ge=1, le=10000)] = 60,
) -> SendOut:
    campaign = service.campaign_by_code(session, code)
    if campaign is None:
        raise NotFoundError(f"campaign {code} not found")
    if campaign.kind != "manual":
        issued = service.run_automations(session, campaign, now=now)
        session.commit()
        return SendOut(sent=0, opted_out=0, throttled=0, failed=0, coupons=issued)
    report = service.send_campaign(
        session, campaign, channel_for(request), now=now, per_minute=per_minute
    )
    audit(session, user, now, "send", "campaign", campaign.id, details={"sent": report.sent})
    session.commit()
    return SendOut(
        sent=report.sent,
        opted_out=report.opted_out,
        throttled=report.throttled,
        failed=report.failed,
        coupons=report.coupons,
    )
