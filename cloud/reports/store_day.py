"""The dashboard's numbers for one store's day, in the store's timezone: sales by hour against
the same weekday last week, top sellers, basket size, open alerts by kind with their age,
devices with their outbox depth and today's time-to-restock."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.devices.models import Device
from cloud.sales.models import Sale, SaleLine
from cloud.stores.models import Store

OPEN = ("active_unack", "active_ack")


def store_zone(store: Store) -> tzinfo:
    try:
        return ZoneInfo(store.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Seller:
    name: str
    qty: Decimal
    amount: Decimal


@dataclass(frozen=True)
class AlertKind:
    type: str
    count: int
    oldest: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.oldest


@dataclass(frozen=True)
class Restock:
    count: int
    median_s: float | None
    longest_s: float | None


@dataclass(frozen=True)
class Day:
    hours: list[str]
    today: list[float | None]
    last_week: list[float]
    sales: int
    basket_value: Decimal | None
    basket_units: Decimal | None
    top: list[Seller]
    alerts: list[AlertKind]
    devices: list[Device]
    restock: Restock


def local_start(store: Store, now: datetime) -> datetime:
    zone = store_zone(store)
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)


def by_hour(session: Session, store: Store, start: datetime, end: datetime) -> list[float]:
    """Sales totals per local hour of the day that starts at ``start``."""
    zone = store_zone(store)
    totals = [0.0] * 24
    rows = session.execute(
        select(Sale.completed_at, Sale.total).where(
            Sale.store_id == store.id, Sale.completed_at >= start, Sale.completed_at < end
        )
    )
    for at, total in rows:
        totals[at.astimezone(zone).hour] += float(total)
    return totals


def top_sellers(session: Session, store_id: int, start: datetime, end: datetime) -> list[Seller]:
    stmt = (
        select(SaleLine.name, func.sum(SaleLine.qty), func.sum(SaleLine.amount))
        .join(Sale, Sale.id == SaleLine.sale_pk)
        .where(Sale.store_id == store_id, Sale.completed_at >= start, Sale.completed_at < end)
        .group_by(SaleLine.name)
        .order_by(func.sum(SaleLine.amount).desc())
        .limit(5)
    )
    return [Seller(n, Decimal(q), Decimal(a)) for n, q, a in session.execute(stmt)]


def basket(
    session: Session, store_id: int, start: datetime, end: datetime
) -> tuple[int, Decimal | None, Decimal | None]:
    count, total = session.execute(
        select(func.count(), func.sum(Sale.total)).where(
            Sale.store_id == store_id, Sale.completed_at >= start, Sale.completed_at < end
        )
    ).one()
    units = session.scalar(
        select(func.sum(SaleLine.qty))
        .join(Sale, Sale.id == SaleLine.sale_pk)
        .where(Sale.store_id == store_id, Sale.completed_at >= start, Sale.completed_at < end)
    )
    if not count:
        return 0, None, None
    cent, tenth = Decimal("0.01"), Decimal("0.1")
    value = (Decimal(total) / count).quantize(cent)
    return int(count), value, (Decimal(units or 0) / count).quantize(tenth)


def open_alerts(session: Session, store_id: int) -> list[AlertKind]:
    stmt = (
        select(Alert.type, func.count(), func.min(Alert.opened_at))
        .where(Alert.store_id == store_id, Alert.status.in_(OPEN))
        .group_by(Alert.type)
        .order_by(func.min(Alert.opened_at))
    )
    return [AlertKind(t, int(n), oldest) for t, n, oldest in session.execute(stmt)]


def restock_today(session: Session, store_id: int, start: datetime) -> Restock:
    rows = session.scalars(
        select(Alert).where(
            Alert.store_id == store_id,
            Alert.type == "out_of_stock",
            Alert.resolved_at.is_not(None),
            Alert.resolved_at >= start,
        )
    )
    times = [
        float(a.details["time_to_restock_s"])
        for a in rows
        if a.details and a.details.get("time_to_restock_s") is not None
    ]
    if not times:
        return Restock(0, None, None)
    return Restock(len(times), statistics.median(times), max(times))


def store_day(session: Session, store: Store, now: datetime) -> Day:
    start = local_start(store, now)
    today = by_hour(session, store, start, now)
    last = by_hour(session, store, start - WEEK, start - WEEK + timedelta(days=1))
    current = now.astimezone(store_zone(store)).hour
    sales, value, units = basket(session, store.id, start, now)
    devices = session.scalars(
        select(Device).where(Device.store_id == store.id).order_by(Device.online, Device.node)
    )
    return Day(
        hours=[f"{h:02d}" for h in range(24)],
        today=[v if h <= current else None for h, v in enumerate(today)],
        last_week=last,
        sales=sales,
        basket_value=value,
        basket_units=units,
        top=top_sellers(session, store.id, start, now),
        alerts=open_alerts(session, store.id),
        devices=list(devices),
        restock=restock_today(session, store.id, start),
    )


@dataclass(frozen=True)
class Chain:
    """Every store's day added up: hours are each store's local hours."""

    today: list[float | None]
    last_week: list[float]
    top: list[Seller]
    alerts: list[AlertKind]


def chain_day(days: list[Day]) -> Chain:
    today: list[float | None] = [None] * 24
    last = [0.0] * 24
    sellers: dict[str, tuple[Decimal, Decimal]] = {}
    kinds: dict[str, tuple[int, datetime]] = {}
    for day in days:
        for h in range(24):
            v = day.today[h]
            if v is not None:
                today[h] = (today[h] or 0.0) + v
            last[h] += day.last_week[h]
        for s in day.top:
            q, a = sellers.get(s.name, (Decimal(0), Decimal(0)))
            sellers[s.name] = (q + s.qty, a + s.amount)
        for k in day.alerts:
            n, oldest = kinds.get(k.type, (0, k.oldest))
            kinds[k.type] = (n + k.count, min(oldest, k.oldest))
    top = sorted((Seller(n, q, a) for n, (q, a) in sellers.items()), key=lambda s: -s.amount)
    alerts = sorted((AlertKind(t, n, o) for t, (n, o) in kinds.items()), key=lambda k: k.oldest)
    return Chain(today, last, top[:5], alerts)
