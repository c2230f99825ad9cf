"""Member profiles, segments, recommendations, opt-in and throttled campaign sends.

Reads recorded sales; writes coupons (through cloud.members.coupons) and the notifications
log. Every send attempt is logged, including the ones opt-out or the throttle stopped.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.db.upsert import insert_ignore
from cloud.marketing import recommend, repository, rfm
from cloud.marketing.channels import Channel
from cloud.marketing.exceptions import ChannelError, SegmentError
from cloud.marketing.models import Campaign, ChannelPref, Notification
from cloud.members import coupons
from cloud.members.models import Coupon, Member, TierChange
from cloud.products.models import Category, Product
from cloud.sales.models import Sale, SaleLine

log = logging.getLogger(__name__)
SEGMENT_KEYS = {"rfm", "tiers", "min_spend", "inactive_days", "birthday_month"}


def figures(session: Session, now: datetime, days: int = 365) -> list[rfm.Figures]:
    since = now - timedelta(days=days)
    rows = {
        int(m or 0): (last, int(n), Decimal(str(s)))
        for m, last, n, s in session.execute(
            select(
                Sale.member_id,
                func.max(Sale.completed_at),
                func.count(Sale.id),
                func.coalesce(func.sum(Sale.total), 0),
            )
            .where(Sale.member_id.is_not(None), Sale.completed_at >= since)
            .group_by(Sale.member_id)
        )
    }
    out = []
    for (mid,) in session.execute(select(Member.id).order_by(Member.id)):
        last, n, spend = rows.get(mid, (None, 0, Decimal(0)))
        out.append(rfm.Figures(mid, _aware(last, now), n, spend))
    return out


def _aware(value: datetime | None, like: datetime) -> datetime | None:
    if value is not None and value.tzinfo is None and like.tzinfo is not None:
        return value.replace(tzinfo=like.tzinfo)
    return value


def segments(session: Session, now: datetime) -> dict[int, rfm.Rfm]:
    return rfm.score(figures(session, now), now)


def check_segment(definition: dict[str, Any]) -> dict[str, Any]:
    unknown = set(definition) - SEGMENT_KEYS
    if unknown:
        raise SegmentError(f"unknown segment keys: {sorted(unknown)}")
    bad = set(definition.get("rfm", [])) - set(rfm.SEGMENTS)
    if bad:
        raise SegmentError(f"unknown RFM segments: {sorted(bad)}")
    return definition


def select_members(session: Session, definition: dict[str, Any], now: datetime) -> list[int]:
    """Member ids matching every condition of the segment builder's definition."""
    check_segment(definition)
    scored = segments(session, now)
    figs = {f.member_id: f for f in figures(session, now)}
    members = session.execute(select(Member.id, Member.tier, Member.birthday)).all()
    out = []
    for mid, tier, birthday in members:
        f, r = figs[mid], scored[mid]
        if definition.get("rfm") and r.segment not in definition["rfm"]:
            continue
        if definition.get("tiers") and tier not in definition["tiers"]:
            continue
        if "min_spend" in definition and f.spend < Decimal(str(definition["min_spend"])):
            continue
        inactive = int(definition.get("inactive_days", 0))
        if inactive and f.last_visit is not None and (now - f.last_visit).days < inactive:
            continue
        month = int(definition.get("birthday_month", 0))
        if month and (birthday is None or birthday.month != month):
            continue
        out.append(int(mid))
    return sorted(out)


def baskets(session: Session, limit: int = 20000) -> dict[int, list[frozenset[str]]]:
    """member id (0: anonymous) → baskets of product keys (gtin), oldest first."""
    recent = select(Sale.id).order_by(Sale.completed_at.desc()).limit(limit).subquery()
    rows = session.execute(
        select(Sale.id, Sale.member_id, Sale.completed_at, SaleLine.gtin)
        .join(SaleLine, SaleLine.sale_pk == Sale.id)
        .where(Sale.id.in_(select(recent.c.id)))
        .order_by(Sale.completed_at, Sale.id)
    )
    by_sale: dict[int, tuple[int, set[str]]] = {}
    for sale_pk, member_id, _at, gtin in rows:
        by_sale.setdefault(sale_pk, (int(member_id or 0), set()))[1].add(gtin)
    out: dict[int, list[frozenset[str]]] = defaultdict(list)
    for member_id, items in by_sale.values():
        out[member_id].append(frozenset(items))
    return out


@dataclass(frozen=True, slots=True)
class Profile:
    member_id: int
    rfm: rfm.Rfm
    visits: int
    spend: Decimal
    average_basket: Decimal
    favourite_categories: list[tuple[str, int]]
    recommendations: list[tuple[str, str]]
    """(gtin, product name)"""


def profile(session: Session, member_id: int, now: datetime, k: int = 5) -> Profile:
    scored = segments(session, now)
    figs = {f.member_id: f for f in figures(session, now)}
    f = figs.get(member_id) or rfm.Figures(member_id, None, 0, Decimal(0))
    cats = Counter[str]()
    for name, qty in session.execute(
        select(Category.name, func.count(SaleLine.id))
        .select_from(Sale)
        .join(SaleLine, SaleLine.sale_pk == Sale.id)
        .join(Product, Product.id == SaleLine.product_id)
        .join(Category, Category.id == Product.category_id)
        .where(Sale.member_id == member_id)
        .group_by(Category.name)
    ):
        cats[str(name)] = int(qty)
    history = baskets(session)
    model = recommend.train(b for bs in history.values() for b in bs)
    recs = recommend.for_member(model, history.get(member_id, []), k=k)
    names = dict(
        session.execute(
            select(SaleLine.gtin, func.max(SaleLine.name))
            .where(SaleLine.gtin.in_(recs))
            .group_by(SaleLine.gtin)
        ).all()
    )
    average = (f.spend / f.visits).quantize(Decimal("0.01")) if f.visits else Decimal("0.00")
    return Profile(
        member_id=member_id,
        rfm=scored.get(member_id, rfm.Rfm(member_id, 0, 0, 0, None, "new")),
        visits=f.visits,
        spend=f.spend,
        average_basket=average,
        favourite_categories=cats.most_common(3),
        recommendations=[(g, str(names.get(g, g))) for g in recs],
    )


def together(session: Session, gtin: str, k: int = 5) -> list[str]:
    history = baskets(session)
    return recommend.together(recommend.train(b for bs in history.values() for b in bs), gtin, k)


# Opt-in and sends ---------------------------------------------------------------------------


def set_opt_in(
    session: Session, member_id: int, channel: str, opted_in: bool, now: datetime
) -> None:
    row = session.scalars(
        select(ChannelPref).where(
            ChannelPref.member_id == member_id, ChannelPref.channel == channel
        )
    ).one_or_none()
    if row is None:
        session.execute(
            insert_ignore(session, ChannelPref),
            [{"member_id": member_id, "channel": channel, "opted_in": opted_in, "updated_at": now}],
        )
    else:
        row.opted_in = opted_in
        row.updated_at = now
    session.flush()


def opted_in(session: Session, member_ids: Sequence[int], channel: str) -> set[int]:
    if not member_ids:
        return set()
    return set(
        session.scalars(
            select(ChannelPref.member_id).where(
                ChannelPref.channel == channel,
                ChannelPref.opted_in.is_(True),
                ChannelPref.member_id.in_(list(member_ids)),
            )
        )
    )


@dataclass
class SendReport:
    sent: int = 0
    opted_out: int = 0
    throttled: int = 0
    failed: int = 0
    coupons: int = 0


def send_campaign(
    session: Session,
    campaign: Campaign,
    channel: Channel,
    *,
    now: datetime,
    member_ids: Sequence[int] | None = None,
    per_minute: int = 60,
) -> SendReport:
    """Issue the campaign's coupon to each targeted member and notify the opted-in ones.

    Throttle: at most ``per_minute`` messages on the channel in any minute (counted in the
    notifications log, so several workers share it); the rest are logged ``throttled`` and a
    later run picks them up (coupons are per-member limited, so a re-run issues no twins).
    """
    report = SendReport()
    targets = (
        list(member_ids)
        if member_ids is not None
        else select_members(session, campaign.segment or {}, now)
    )
    allowed = opted_in(session, targets, campaign.channel)
    budget = per_minute - int(
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.channel == campaign.channel,
                Notification.status == "sent",
                Notification.created_at > now - timedelta(minutes=1),
            )
        )
        or 0
    )
    members = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(targets)))}
    for mid in targets:
        member = members.get(mid)
        if member is None:
            continue
        coupon = _issue(session, campaign, mid, now, per_member_limit=campaign.per_member_limit)
        if coupon is None:
            continue  # already holds the campaign's coupon(s): nothing new to announce
        report.coupons += 1
        body = (campaign.message or "{name}: your coupon {code}").format(
            name=member.name or "Member", code=coupon.code, value=coupon.value
        )
        address = _address(member, campaign.channel)
        status, detail = _deliver(
            channel, campaign, address, body, opted=mid in allowed, budget=budget, report=report
        )
        if status == "sent":
            budget -= 1
        session.add(
            Notification(
                member_id=mid,
                campaign_id=campaign.id,
                channel=campaign.channel,
                address=address,
                body=body,
                status=status,
                detail=detail,
                created_at=now,
            )
        )
    session.flush()
    log.info("campaign %s: %s", campaign.code, report)
    return report


def _issue(
    session: Session,
    campaign: Campaign,
    member_id: int,
    now: datetime,
    *,
    per_member_limit: int | None = None,
    issue_key: str | None = None,
) -> Coupon | None:
    """The campaign's coupon for one member; None when the member already holds it (up to
    ``per_member_limit``) or ``issue_key`` was issued before (automatic coupons)."""
    return coupons.issue(
        session,
        prefix=campaign.coupon_prefix,
        kind=campaign.coupon_kind,
        value=campaign.coupon_value,
        min_spend=campaign.min_spend,
        now=now,
        member_id=member_id,
        campaign_id=campaign.id,
        rule_id=campaign.code,
        valid_from=now,
        expires_at=now + timedelta(days=campaign.valid_days),
        per_member_limit=per_member_limit,
        issue_key=issue_key,
        max_total=campaign.max_coupons,
    )


def _deliver(
    channel: Channel,
    campaign: Campaign,
    address: str,
    body: str,
    *,
    opted: bool,
    budget: int,
    report: SendReport,
) -> tuple[str, str]:
    """Send one message unless opt-out, the throttle or a missing address stops it; counts it
    in ``report`` and returns the notification's ``(status, detail)``."""
    if not opted:
        report.opted_out += 1
        return "opted_out", ""
    if budget <= 0:
        report.throttled += 1
        return "throttled", ""
    if not address:
        return "no_address", ""
    try:
        channel.send(address, campaign.name, body)
    except ChannelError as exc:
        report.failed += 1
        return "failed", str(exc)[:300]
    report.sent += 1
    return "sent", ""


def _address(member: Member, channel: str) -> str:
    if channel == "sms":
        return member.phone or ""
    if channel == "in_app":
        return f"member:{member.id}"
    return ""  # e-mail addresses are not collected yet


def run_automations(session: Session, campaign: Campaign, *, now: datetime) -> int:
    """Automatic coupons: birthday month, tier upgrade, win-back. Idempotent by issue key."""
    issued = 0
    valid = timedelta(days=campaign.valid_days)

    def give(member_id: int, key: str) -> None:
        nonlocal issued
        got = _issue(session, campaign, member_id, now, issue_key=key)
        issued += got is not None

    if campaign.kind == "birthday":
        for (mid,) in session.execute(select(Member.id).where(Member.birthday.is_not(None))):
            m = session.get(Member, mid)
            if m is not None and m.birthday is not None and m.birthday.month == now.month:
                give(mid, f"c{campaign.id}:birthday:{mid}:{now.year}")
    elif campaign.kind == "tier_upgrade":
        for ch in session.scalars(select(TierChange).where(TierChange.changed_at > now - valid)):
            give(ch.member_id, f"c{campaign.id}:tier:{ch.id}")
    elif campaign.kind == "win_back":
        for mid in select_members(session, {"inactive_days": campaign.win_back_days}, now):
            if figures_for(session, mid):
                give(mid, f"c{campaign.id}:winback:{mid}:{now:%Y%m}")
    return issued


def figures_for(session: Session, member_id: int) -> bool:
    """True when the member ever bought (win-back is for lapsed buyers, not new sign-ups)."""
    return bool(session.scalar(select(func.count(Sale.id)).where(Sale.member_id == member_id)))


def member_coupons(session: Session, member_id: int) -> Sequence[Coupon]:
    return session.scalars(
        select(Coupon).where(Coupon.member_id == member_id).order_by(Coupon.issued_at.desc())
    ).all()


def campaign_by_code(session: Session, code: str) -> Campaign | None:
    return repository.campaign_by_code(session, code)
