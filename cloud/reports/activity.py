"""Promotion effectiveness, members, alert response times and shoppers' ratings."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.feedback import service as feedback
from cloud.members.models import Member
from cloud.reports import repository
from cloud.reports.table import Cell, Chart, Report
from cloud.sales.models import Sale, SaleDiscount, SaleLine
from cloud.stores import service as stores
from contracts.pricebook import PointsPolicy

CENT = Decimal("0.01")


def _window(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> tuple[datetime, datetime]:
    """[first, last] as business days of these stores: local midnights when they share a
    zone (UTC when they do not), so "today" at 9 am in Shanghai holds today's sales."""
    tz = stores.common_zone_of(session, store_ids)
    return (
        datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC),
    )


def promotion_report(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> Report:
    """Per promotion: sales and lines discounted, cost of the discounts, and uplift.

    Uplift compares the average daily units of the discounted products in [first, last] with
    the same number of days just before (the baseline); basket-level discounts have no
    products of their own, so no uplift.
    """
    start, end = _window(session, store_ids, first, last)
    stmt = (
        select(
            SaleDiscount.promotion,
            func.count(distinct(SaleDiscount.sale_pk)),
            func.count(SaleDiscount.line_no),
            func.sum(SaleDiscount.amount),
        )
        .join(Sale, Sale.id == SaleDiscount.sale_pk)
        .where(Sale.completed_at >= start, Sale.completed_at < end)
        .group_by(SaleDiscount.promotion)
        .order_by(SaleDiscount.promotion)
    )
    gtin_stmt = (
        select(SaleDiscount.promotion, SaleLine.gtin)
        .distinct()
        .join(Sale, Sale.id == SaleDiscount.sale_pk)
        .join(
            SaleLine,
            and_(
                SaleLine.sale_pk == SaleDiscount.sale_pk, SaleLine.line_no == SaleDiscount.line_no
            ),
        )
        .where(Sale.completed_at >= start, Sale.completed_at < end)
    )
    if store_ids is not None:
        stmt = stmt.where(Sale.store_id.in_(store_ids))
        gtin_stmt = gtin_stmt.where(Sale.store_id.in_(store_ids))
    gtins: dict[str, set[str]] = defaultdict(set)
    for promo, gtin in session.execute(gtin_stmt):
        gtins[promo].add(gtin)
    span = (last - first).days + 1
    base_first, base_last = first - timedelta(days=span), first - timedelta(days=1)
    rows: list[list[Cell]] = []
    for promo, sales, lines, cost in session.execute(stmt):
        wanted = sorted(gtins.get(promo, ()))
        uplift: Decimal | None = None
        during = before = Decimal(0)
        if wanted:
            during = sum(
                (
                    p.qty
                    for p in repository.product_sums(session, store_ids, first, last, gtins=wanted)
                ),
                Decimal(0),
            )
            before = sum(
                (
                    p.qty
                    for p in repository.product_sums(
                        session, store_ids, base_first, base_last, gtins=wanted
                    )
                ),
                Decimal(0),
            )
            if before:
                uplift = ((during / before - 1) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append([promo, int(sales), int(lines), Decimal(cost or 0), during, before, uplift])
    return Report(
        "promotions",
        "Promotion effectiveness",
        ["promotion", "sales", "lines", "discount_cost", "units", "baseline_units", "uplift_pct"],
        rows,
        chart=Chart("promotion", "discount_cost"),
        notes=[f"baseline: {base_first.isoformat()}..{base_last.isoformat()}"],
    )


def member_report(
    session: Session,
    store_ids: Sequence[int] | None,
    first: date,
    last: date,
    policy: PointsPolicy | None = None,
) -> Report:
    """Members by tier: how many, how many bought in the range, their points and liability."""
    policy = policy or PointsPolicy()
    start, end = _window(session, store_ids, first, last)
    active_stmt = (
        select(Sale.member_id)
        .distinct()
        .where(Sale.member_id.is_not(None), Sale.completed_at >= start, Sale.completed_at < end)
    )
    if store_ids is not None:
        active_stmt = active_stmt.where(Sale.store_id.in_(store_ids))
    active = set(session.scalars(active_stmt))
    tiers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for mid, tier, points in session.execute(select(Member.id, Member.tier, Member.points_balance)):
        acc = tiers[tier]
        acc[0] += 1
        acc[1] += 1 if mid in active else 0
        acc[2] += max(int(points), 0)
    rows: list[list[Cell]] = [
        [tier, n, act, pts, (Decimal(pts) * policy.redeem_value).quantize(CENT)]
        for tier, (n, act, pts) in sorted(tiers.items())
    ]
    return Report(
        "members",
        "Members by tier",
        ["tier", "members", "active", "points", "points_liability"],
        rows,
        chart=Chart("tier", "members"),
        notes=["points liability values every point at the redeem value"],
    )


def _minutes(deltas: list[timedelta]) -> tuple[Decimal | None, Decimal | None]:
    if not deltas:
        return None, None
    mins = [d.total_seconds() / 60 for d in deltas]
    q = Decimal("0.1")
    return (
        Decimal(str(statistics.fmean(mins))).quantize(q),
        Decimal(str(statistics.median(mins))).quantize(q),
    )


def alert_report(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> Report:
    """Per alert type: opened, acknowledged, time to acknowledge and to resolve (for
    out-of-stock, time to restock), mean and median minutes."""
    start, end = _window(session, store_ids, first, last)
    stmt = select(Alert).where(Alert.opened_at >= start, Alert.opened_at < end)
    if store_ids is not None:
        stmt = stmt.where(Alert.store_id.in_(store_ids))
    ack: dict[str, list[timedelta]] = defaultdict(list)
    done: dict[str, list[timedelta]] = defaultdict(list)
    opened: dict[str, int] = defaultdict(int)
    for a in session.scalars(stmt):
        opened[a.type] += 1
        if a.acknowledged_at is not None:
            ack[a.type].append(a.acknowledged_at - a.opened_at)
        if a.resolved_at is not None:
            done[a.type].append(a.resolved_at - a.opened_at)
    rows: list[list[Cell]] = []
    for kind in sorted(opened):
        ack_mean, ack_median = _minutes(ack[kind])
        res_mean, res_median = _minutes(done[kind])
        rows.append(
            [
                kind,
                opened[kind],
                len(ack[kind]),
                ack_mean,
                ack_median,
                len(done[kind]),
                res_mean,
                res_median,
            ]
        )
    return Report(
        "alerts",
        "Alert and restock times",
        [
            "type",
            "opened",
            "acknowledged",
            "ack_mean_min",
            "ack_median_min",
            "resolved",
            "resolve_mean_min",
            "resolve_median_min",
        ],
        rows,
        chart=Chart("type", "opened"),
        notes=["for out_of_stock, resolve time is the time to restock"],
    )


def feedback_report(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> Report:
    """Per store: feedback received, how many rated, the mean rating, each rating's count and
    where the feedback stands (new, answered, closed); ``*`` is feedback naming no store."""
    start, end = _window(session, store_ids, first, last)
    summaries = feedback.ratings(session, store_ids, start, end)
    codes = stores.codes(session, {s.store_id for s in summaries if s.store_id is not None})
    rows: list[list[Cell]] = [
        [
            codes.get(s.store_id, "*") if s.store_id is not None else "*",
            s.received,
            s.rated,
            s.average,
            *(s.by_rating[n] for n in range(1, 6)),
            *(s.by_status.get(k, 0) for k in ("new", "answered", "closed")),
        ]
        for s in summaries
    ]
    return Report(
        "feedback",
        "Shoppers' ratings",
        [
            "store",
            "received",
            "rated",
            "average_rating",
            "rating_1",
            "rating_2",
            "rating_3",
            "rating_4",
            "rating_5",
            "new",
            "answered",
            "closed",
        ],
        rows,
        chart=Chart("store", "average_rating"),
    )
