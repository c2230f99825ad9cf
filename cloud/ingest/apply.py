"""Apply validated events to the database, exactly once, inside the caller's transaction.

No MQTT and no commit here: the shell commits, then acknowledges. Idempotency is the
``processed_events`` insert-or-ignore on UNIQUE(event_id) and UNIQUE(store, node, seq); only
events whose key row is new are applied, so a redelivered or duplicated event is a no-op
and, with several workers, the database decides who applies it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.alerts import toggles
from cloud.alerts.toggles import ToggleKey
from cloud.db.upsert import (
    driver_connection,
    insert_ignore,
    is_postgres,
    json_rows,
    rows_json,
    table_of,
)
from cloud.ingest.exceptions import RejectedError
from cloud.ingest.models import ProcessedEvent
from cloud.inventory import service as inventory
from cloud.reports import aggregates
from cloud.returns import ingest as returns_ingest
from cloud.sales import service as sales
from cloud.tasks import service as tasks
from contracts.codec import Event
from contracts.messages import (
    FaultData,
    InterventionData,
    InvoiceRequestData,
    Payload,
    ReturnData,
    SaleData,
    ShelfEventData,
    StockData,
    VoidData,
    ZReportData,
)

log = logging.getLogger(__name__)

APPLIED: tuple[type[Payload], ...] = (
    SaleData,
    ReturnData,
    InvoiceRequestData,
    StockData,
    InterventionData,
    FaultData,
    VoidData,
    ZReportData,
    ShelfEventData,
)
"""Every payload type :func:`apply_batch` has a step for; a new event type in the contracts
fails ``tests/cloud/ingest`` until it gets one, instead of being marked processed unread."""


@dataclass(frozen=True, slots=True)
class Accepted:
    """An event that passed validation and whose device is registered."""

    event: Event
    store_id: int
    device_id: int
    body: str = ""
    """contracts.strict.body_digest of the event: an event_id reused with another body is
    a conflict, not a redelivery."""


@dataclass(frozen=True, slots=True)
class Applied:
    """What a batch did: how many events were new, and which ones conflict with the
    idempotency keys (the same node and seq under another event id) with the reason."""

    count: int
    conflicts: list[tuple[Accepted, str]]


def apply_event(session: Session, item: Accepted, now: datetime) -> bool:
    """Apply one event; False when it had been applied before.

    Raises :class:`RejectedError` when its node and seq belong to another event.
    """
    result = apply_batch(session, [item], now)
    if result.conflicts:
        raise RejectedError(result.conflicts[0][1])
    return result.count == 1


def apply_batch(session: Session, items: Sequence[Accepted], now: datetime) -> Applied:
    """Apply the new events among ``items``; the conflicting ones are left for dead letters."""
    fresh, conflicts = _claim(session, items, now)
    toggles.lock(session, filter(None, map(_toggle_key, fresh)))
    sale_records: list[sales.SaleRecord] = []
    after_sales: list[Accepted] = []
    for item in sorted(fresh, key=lambda i: (i.event.envelope.node, i.event.envelope.seq)):
        payload = item.event.payload
        if isinstance(payload, SaleData):
            env = item.event.envelope
            sale_records.append(
                sales.SaleRecord(item.store_id, env.node, str(env.event_id), payload)
            )
        elif isinstance(payload, ReturnData | InvoiceRequestData):
            after_sales.append(item)  # they name a sale, possibly one of this very batch
        else:
            _apply_other(session, item, now)
    recorded = sales.record_sales(session, sale_records, now)
    aggregates.add_sales(session, sale_records, recorded)
    for item in after_sales:
        _apply_other(session, item, now)
    return Applied(len(fresh), conflicts)


def _claim(
    session: Session, items: Sequence[Accepted], now: datetime
) -> tuple[list[Accepted], list[tuple[Accepted, str]]]:
    """Insert the batch's idempotency keys: the events whose keys were new, and the
    conflicts. A redelivery (same event id, same body digest) is skipped quietly; a different
    event under a (store, node, seq) already taken — a node that reused its sequence (a
    restored outbox, a bug) — or an event id reused with another body is a conflict and goes
    to the dead letters rather than vanish."""
    by_id: dict[str, Accepted] = {}
    keys: set[tuple[str, str, int]] = set()
    deferred: dict[str, Accepted] = {}  # a key seen earlier in the batch: the database decides
    conflicts: list[tuple[Accepted, str]] = []
    repeats: list[Accepted] = []  # an event id twice in the batch with two bodies
    for item in items:
        env = item.event.envelope
        event_id, key = str(env.event_id), (env.store, env.node, env.seq)
        first = by_id.get(event_id) or deferred.get(event_id)
        if first is not None:
            if first.body and item.body and first.body != item.body:
                repeats.append(item)  # compared below with what the database kept
            continue
        if key in keys:
            deferred[event_id] = item
            continue
        by_id[event_id] = item
        keys.add(key)
    if not by_id:
        return [], []
    rows = [
        {
            "event_id": event_id,
            "store": it.event.envelope.store,
            "node": it.event.envelope.node,
            "seq": it.event.envelope.seq,
            "boot": it.event.envelope.boot,
            "type": it.event.envelope.type,
            "processed_at": now,
            "digest": it.body or None,
        }
        for event_id, it in sorted(by_id.items(), key=lambda kv: kv[0])
    ]
    new_ids = _insert_keys(session, rows)
    unsure = {e: it for e, it in by_id.items() if e not in new_ids} | deferred
    if unsure or repeats:
        pairs = list(unsure.items()) + [(str(r.event.envelope.event_id), r) for r in repeats]
        known = _known_ids(session, [e for e, _ in pairs])
        for event_id, item in pairs:
            if event_id not in known:
                env = item.event.envelope
                conflicts.append((item, _conflict((env.store, env.node, env.seq))))
            elif known[event_id] and item.body and known[event_id] != item.body:
                conflicts.append((item, _reused(event_id, str(known[event_id]), item.body)))
        log.debug("skipped %d duplicate event(s)", len(unsure) - len(conflicts))
    return [it for event_id, it in by_id.items() if event_id in new_ids], conflicts


def _conflict(key: tuple[str, str, int]) -> str:
    store, node, seq = key
    return f"seq {seq} of {store}/{node} is already taken by another event (seq reused?)"


def _reused(event_id: str, applied: str, received: str) -> str:
    return (
        f"event_id {event_id} reused with another body: applied sha256:{applied}, "
        f"received sha256:{received}"
    )


def _known_ids(session: Session, event_ids: list[str]) -> dict[str, str | None]:
    """event_id -> body digest (None for rows from before digests were kept)."""
    stmt = select(ProcessedEvent.event_id, ProcessedEvent.digest).where(
        ProcessedEvent.event_id.in_(event_ids)
    )
    return {str(e): d for e, d in session.execute(stmt)}


_KEY_COLUMNS = ("event_id", "store", "node", "seq", "boot", "type", "processed_at", "digest")


def _insert_keys(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert-or-ignore the batch's idempotency keys; returns the event ids that were new.

    On PostgreSQL one constant statement over a JSON record set (prepared once per
    connection); a multi-row VALUES of 256 × 6 parameters cost ~40 µs/event to build and
    parse (profiled, docs/BENCHMARKS.md).
    """
    if is_postgres(session):
        table = table_of(ProcessedEvent)
        columns = ", ".join(_KEY_COLUMNS)
        sql = (
            f"INSERT INTO {table.name} ({columns}) SELECT * FROM "  # noqa: S608 (model names)
            f"{json_rows(table, _KEY_COLUMNS)} ORDER BY event_id "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        )
        with driver_connection(session).cursor() as cur:
            cur.execute(sql, [rows_json(rows)])
            return {str(r[0]) for r in cur.fetchall()}
    stmt = insert_ignore(session, ProcessedEvent).returning(ProcessedEvent.event_id)
    return set(session.execute(stmt, rows).scalars())


def _apply_other(session: Session, item: Accepted, now: datetime) -> None:
    env, payload, store_id = item.event.envelope, item.event.payload, item.store_id
    if isinstance(payload, StockData):
        lane = inventory.apply_stock(
            session, store_id=store_id, node=env.node, data=payload, now=env.ts, seq=env.seq
        )
        if lane is not None:  # a restock task opens with the lane's alert, closes with it
            tasks.follow_lane(
                session, store_id=store_id, source=f"{env.node}/{payload.lane}", now=env.ts
            )
    elif isinstance(payload, InterventionData):
        _toggle(
            session,
            store_id=store_id,
            source=env.node,
            alert_type="kiosk_intervention",
            active=payload.state == "raised",
            at=env.ts,
            message=f"{payload.kind}: {payload.detail}".strip(": "),
            details={"intervention_id": payload.intervention_id, "kind": payload.kind},
            by=payload.cleared_by,
            severity="major" if payload.kind == "age_restricted" else "warning",
        )
    elif isinstance(payload, FaultData):
        _toggle(
            session,
            store_id=store_id,
            source=f"{env.node}/{payload.component}",
            alert_type="device_fault",
            active=payload.active,
            at=env.ts,
            message=f"{payload.code}: {payload.message}".strip(": "),
            details={"code": payload.code, "component": payload.component},
            severity={"critical": "critical", "error": "major"}.get(payload.severity, "warning"),
        )
    elif isinstance(payload, VoidData):
        sales.record_void(
            session,
            store_id=store_id,
            node=env.node,
            event_id=str(env.event_id),
            data=payload,
            at=env.ts,
        )
    elif isinstance(payload, ZReportData):
        sales.record_zreport(session, store_id=store_id, node=env.node, data=payload, now=now)
    elif isinstance(payload, ReturnData | InvoiceRequestData):
        returns_ingest.apply(session, env.node, payload, now)
    elif isinstance(payload, ShelfEventData):  # the lane state arrives as its own stock event
        log.debug("no table for %s events; recorded as processed", env.type)
    else:
        raise TypeError(f"no apply step for {env.type} events ({type(payload).__name__})")


def _toggle_key(item: Accepted) -> ToggleKey | None:
    env, payload = item.event.envelope, item.event.payload
    if isinstance(payload, InterventionData):
        return (item.store_id, env.node, "kiosk_intervention")
    if isinstance(payload, FaultData):
        return (item.store_id, f"{env.node}/{payload.component}", "device_fault")
    return None


def _toggle(
    session: Session,
    *,
    store_id: int,
    source: str,
    alert_type: str,
    active: bool,
    at: datetime,
    message: str,
    details: dict[str, str],
    severity: str,
    by: str | None = None,
) -> None:
    if not toggles.advance(session, (store_id, source, alert_type), active=active, at=at):
        return  # the node has toggled it since: this one arrived late
    if active:
        alerts.open_alert(
            session,
            store_id=store_id,
            source=source,
            alert_type=alert_type,
            now=at,
            severity=severity,
            message=message,
            details=details,
        )
    else:
        alerts.clear_alert(
            session, store_id=store_id, source=source, alert_type=alert_type, now=at, by=by
        )
