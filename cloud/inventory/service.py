"""Inventory ledger writes and shelf lane state from stock events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.db.upsert import bulk_insert
from cloud.inventory import repository
from cloud.inventory.models import MOVEMENT_KINDS, LaneState, Movement
from contracts.messages import StockData

SIGN = {
    "receiving": 1,
    "sale": -1,
    "adjustment": 1,
    "stocktake": 1,
    "transfer_out": -1,
    "transfer_in": 1,
}
LANE_ALERT = {"low": "low_stock", "out": "out_of_stock"}


def record_movements(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of ledger rows (already signed); used by sale ingest."""
    if rows:
        bulk_insert(session, Movement, list(rows))


def move(
    session: Session,
    *,
    store_id: int,
    product_id: int,
    kind: str,
    qty: Decimal,
    now: datetime,
    unit_cost: Decimal | None = None,
    reference: str = "",
    reason: str = "",
) -> Movement:
    """One movement; ``qty`` is a magnitude for receiving/sale/transfers, signed for adjustments."""
    if kind not in MOVEMENT_KINDS:
        raise ValueError(f"unknown movement kind {kind!r}")
    signed = qty if kind in ("adjustment", "stocktake") else abs(qty) * SIGN[kind]
    row = Movement(
        store_id=store_id,
        product_id=product_id,
        kind=kind,
        qty=signed,
        unit_cost=unit_cost,
        reference=reference,
        reason=reason,
        occurred_at=now,
    )
    session.add(row)
    session.flush()
    return row


def stocktake(
    session: Session,
    *,
    store_id: int,
    product_id: int,
    counted: Decimal,
    now: datetime,
    reason: str = "stocktake",
) -> Movement:
    """Record the variance between the count and the ledger as a stocktake movement."""
    variance = counted - repository.on_hand(session, store_id, product_id)
    return move(
        session,
        store_id=store_id,
        product_id=product_id,
        kind="stocktake",
        qty=variance,
        now=now,
        reason=reason,
    )


def transfer(
    session: Session,
    *,
    from_store: int,
    to_store: int,
    product_id: int,
    qty: Decimal,
    now: datetime,
    reference: str,
) -> tuple[Movement, Movement]:
    out = move(
        session,
        store_id=from_store,
        product_id=product_id,
        kind="transfer_out",
        qty=qty,
        now=now,
        reference=reference,
    )
    into = move(
        session,
        store_id=to_store,
        product_id=product_id,
        kind="transfer_in",
        qty=qty,
        now=now,
        reference=reference,
    )
    return out, into


def on_hand(session: Session, store_id: int, product_id: int) -> Decimal:
    return repository.on_hand(session, store_id, product_id)


def apply_stock(
    session: Session, *, store_id: int, node: str, data: StockData, now: datetime, seq: int = 0
) -> LaneState | None:
    """Update the lane and its alerts: low/out open one, a return to ok clears both.

    Shared subscriptions lose ordering, so an event older (by ``seq``) than the lane's last
    one is ignored (None). Clearing an out-of-stock alert records the time-to-restock.
    """
    row = repository.lane(session, store_id, node, data.lane)
    if row is None:
        row = LaneState(store_id=store_id, node=node, lane=data.lane)
        session.add(row)
    elif seq and row.seq and seq < row.seq:
        return None
    row.seq = seq
    row.sku, row.gtin, row.count, row.grams = data.sku, data.gtin, data.count, data.grams
    row.state, row.updated_at = data.state, now
    session.flush()
    source = f"{node}/{data.lane}"
    for state, alert_type in LANE_ALERT.items():
        if data.state == state:
            alerts.open_alert(
                session,
                store_id=store_id,
                source=source,
                alert_type=alert_type,
                now=now,
                severity="major" if state == "out" else "warning",
                message=f"{data.sku} on {source}: {data.count} left",
                details={"sku": data.sku, "gtin": data.gtin, "count": data.count},
            )
        elif data.state == "ok" or (state == "out" and data.state == "low"):
            cleared = alerts.clear_alert(
                session, store_id=store_id, source=source, alert_type=alert_type, now=now
            )
            if cleared is not None and data.state == "ok":
                restock = (now - cleared.opened_at).total_seconds()
                cleared.details = {**cleared.details, "time_to_restock_s": round(restock, 3)}
    session.flush()
    return row
