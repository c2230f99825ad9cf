"""Inventory reports: stock value, days of cover, turnover, distribution, shrink.

On-hand is the sum of the ledger; value uses the moving-average cost the finance module
derives from receiving (cloud.finance.costing), so stock and cost of goods agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.finance import service as finance
from cloud.finance.costing import CostResult, walk
from cloud.inventory.models import Movement
from cloud.products.models import Product
from cloud.reports import repository
from cloud.reports.table import Cell, Chart, Report
from cloud.stores.localtime import zone
from cloud.stores.models import Store

CENT = Decimal("0.01")
SHRINK_KINDS = ("stocktake", "adjustment")


def _q(v: Decimal, step: Decimal = CENT) -> Decimal:
    return v.quantize(step, rounding=ROUND_HALF_UP)


def _costs(session: Session, store_id: int, until: datetime) -> CostResult:
    return walk(finance.ledger(session, store_id, until))


def _local_days(
    session: Session, store_id: int, first: date, last: date
) -> tuple[datetime, datetime]:
    """[first, last] as the store's business days (SPEC §4), as UTC instants."""
    store = session.get(Store, store_id)
    tz = zone(store.timezone if store else None)
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)


def _products(session: Session) -> dict[int, tuple[str, str, Decimal | None]]:
    rows = session.execute(select(Product.id, Product.sku, Product.name, Product.cost))
    return {pid: (sku, name, cost) for pid, sku, name, cost in rows}


def stock_report(session: Session, store_id: int, first: date, last: date, now: datetime) -> Report:
    """Per product: on hand, average cost, value, units sold, days of cover and turnover.

    Days of cover = on hand / average daily units over [first, last]; turnover = cost of goods
    sold in the range / current stock value (a range of a year gives the annual turnover).
    """
    costs = _costs(session, store_id, now)
    start, end = _local_days(session, store_id, first, last)
    cogs: dict[str, Decimal] = defaultdict(Decimal)
    for move, cost in costs.cogs:
        if start <= move.occurred_at < end:
            cogs[move.key] += cost
    sold = {s.key[0]: s.qty for s in repository.product_sums(session, [store_id], first, last)}
    by_gtin = {item.product_id: g for g, item in repository.catalog(session).items()}
    days = Decimal((last - first).days + 1)
    products = _products(session)
    rows: list[list[Cell]] = []
    for key, state in sorted(costs.states.items()):
        if not key.startswith("p"):
            continue
        pid = int(key[1:])
        sku, name, catalog_cost = products.get(pid, ("?", "?", None))
        avg = state.average if state.average is not None else catalog_cost
        value = _q(state.on_hand * avg) if avg is not None else None
        units = sold.get(by_gtin.get(pid, ""), Decimal(0))
        per_day = units / days
        cover = _q(state.on_hand / per_day, Decimal("0.1")) if per_day else None
        turnover = _q(cogs[key] / value) if value else None
        rows.append(
            [
                sku,
                name,
                state.on_hand,
                _q(avg) if avg is not None else None,
                value,
                units,
                cover,
                turnover,
            ]
        )
    return Report(
        "inventory",
        "Stock, cover and turnover",
        [
            "sku",
            "name",
            "on_hand",
            "avg_cost",
            "stock_value",
            "units_sold",
            "days_of_cover",
            "turnover",
        ],
        rows,
        chart=Chart("sku", "stock_value"),
        notes=["days_of_cover is empty when nothing sold in the range"],
    )


def distribution_report(session: Session, store_ids: Sequence[int] | None) -> Report:
    """On hand of each product in each store, with the store's share of the chain's stock."""
    stmt = (
        select(Movement.product_id, Movement.store_id, func.sum(Movement.qty))
        .where(Movement.product_id.is_not(None))
        .group_by(Movement.product_id, Movement.store_id)
    )
    if store_ids is not None:
        stmt = stmt.where(Movement.store_id.in_(store_ids))
    held: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pid, sid, qty in session.execute(stmt):
        if pid is not None:
            held[int(pid)][int(sid)] = Decimal(qty)
    codes = repository.store_codes(session, store_ids)
    products = _products(session)
    rows: list[list[Cell]] = []
    for pid, per_store in sorted(held.items()):
        total = sum((max(q, Decimal(0)) for q in per_store.values()), Decimal(0))
        for sid, qty in sorted(per_store.items(), key=lambda kv: codes.get(kv[0], "")):
            share = _q(max(qty, Decimal(0)) * 100 / total, Decimal("0.1")) if total else None
            rows.append(
                [products.get(pid, ("?", "?", None))[0], codes.get(sid, str(sid)), qty, share]
            )
    return Report(
        "stock-distribution",
        "Stock distribution across stores",
        ["sku", "store", "on_hand", "share_pct"],
        rows,
        chart=Chart("store", "on_hand"),
    )


def shrink_report(
    session: Session, store_id: int, first: date, last: date, now: datetime
) -> Report:
    """Losses: negative stocktake variances and negative adjustments (reasons kept, e.g. an
    unexplained shelf decrease), valued at the moving-average cost of their time."""
    start, end = _local_days(session, store_id, first, last)
    stmt = (
        select(
            Movement.product_id, Movement.kind, Movement.reason, Movement.qty, Movement.occurred_at
        )
        .where(
            Movement.store_id == store_id,
            Movement.kind.in_(SHRINK_KINDS),
            Movement.qty < 0,
            Movement.occurred_at >= start,
            Movement.occurred_at < end,
        )
        .order_by(Movement.occurred_at, Movement.id)
    )
    costs = _costs(session, store_id, now)
    products = _products(session)
    rows: list[list[Cell]] = []
    for pid, kind, reason, qty, at in session.execute(stmt):
        state = costs.states.get(f"p{pid}")
        avg = state.average if state and state.average is not None else None
        if avg is None and pid in products:
            avg = products[pid][2]
        sku = products.get(pid, ("?", "?", None))[0] if pid is not None else "?"
        rows.append([at, sku, kind, reason or kind, -qty, _q(-qty * avg) if avg else None])
    return Report(
        "shrink",
        "Shrink",
        ["at", "sku", "kind", "reason", "qty_lost", "value"],
        rows,
        chart=Chart("sku", "value"),
    )
