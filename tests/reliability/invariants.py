"""The soak's end checks: what every node's own database says it emitted vs what the cloud holds.

Each check returns a list of human-readable violations (empty = holds), so a failing soak
names every broken invariant at once instead of stopping at the first.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.ingest.models import DeadLetter, ProcessedEvent
from cloud.inventory.models import LaneState, Movement
from cloud.members.models import Member, PointsEntry
from cloud.products.models import ProductBarcode
from cloud.sales.models import Sale
from cloud.stores.models import Store

OPEN_STATUSES = ("active_unack", "active_ack")
LANE_ALERTS = {"ok": set(), "low": {"low_stock"}, "out": {"out_of_stock"}}
"""Open alerts a lane's last state implies. While out, a low-stock alert may or may not still
be open: "low" and "out" can arrive in either order through the shared subscription."""
OPTIONAL_WHEN_OUT = "low_stock"
NODE_STATE_ALERTS = ("device_offline",)
"""Not compared with the toggles: the nodes are stopped (offline) before the checks."""


@dataclass
class NodeLedger:
    """What one node emitted, read from its outbox database after it stopped."""

    store: str
    node: str
    seqs: list[int]
    sales: dict[str, dict[str, object]]
    toggles: dict[str, str]
    unsent: int

    @classmethod
    def read(cls, path: Path, store: str, node: str) -> NodeLedger:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute("SELECT seq, type, key, detail FROM soak_emitted ORDER BY seq")
            seqs: list[int] = []
            sales: dict[str, dict[str, object]] = {}
            toggles: dict[str, str] = {}
            for seq, kind, key, detail in rows.fetchall():
                seqs.append(int(seq))
                info = json.loads(detail)
                if kind == "sale":
                    sales[str(key)] = info
                else:
                    toggles[str(key)] = str(info["state"])
            (unsent,) = conn.execute(
                "SELECT count(*) FROM outbox WHERE acked_at IS NULL"  # not acked by the cloud
            ).fetchone()
        finally:
            conn.close()
        return cls(store, node, seqs, sales, toggles, int(unsent))


@dataclass
class Verdict:
    events: int = 0
    sales: int = 0
    losses: int = 0
    duplicates: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def check_all(
    session: Session,
    ledgers: list[NodeLedger],
    receipts: dict[tuple[str, str], Decimal],
    malformed: set[bytes],
) -> Verdict:
    verdict = Verdict()
    store_ids = {code: sid for sid, code in session.execute(select(Store.id, Store.code))}
    _check_seqs(session, ledgers, verdict)
    _check_sales(session, ledgers, store_ids, verdict)
    _check_ledger(session, ledgers, store_ids, receipts, verdict)
    _check_points(session, ledgers, verdict)
    _check_alerts(session, ledgers, store_ids, verdict)
    _check_lanes(session, ledgers, store_ids, verdict)
    _check_dead_letters(session, malformed, verdict)
    return verdict


def _check_seqs(session: Session, ledgers: list[NodeLedger], verdict: Verdict) -> None:
    for led in ledgers:
        verdict.events += len(led.seqs)
        if led.seqs != list(range(1, len(led.seqs) + 1)):
            verdict.violations.append(f"{led.store}/{led.node}: emitted seqs are not 1..N")
        got = session.scalars(
            select(ProcessedEvent.seq).where(
                ProcessedEvent.store == led.store, ProcessedEvent.node == led.node
            )
        ).all()
        counts = Counter(int(s) for s in got)
        lost = set(led.seqs) - set(counts)
        extra = set(counts) - set(led.seqs)
        doubled = [s for s, n in counts.items() if n > 1]
        verdict.losses += len(lost)
        verdict.duplicates += len(doubled)
        if lost:
            verdict.violations.append(
                f"{led.store}/{led.node}: {len(lost)} seq(s) lost, e.g. {sorted(lost)[:5]}"
            )
        if doubled:
            verdict.violations.append(f"{led.store}/{led.node}: seqs doubled {doubled[:5]}")
        if extra:
            verdict.violations.append(f"{led.store}/{led.node}: unknown seqs {sorted(extra)[:5]}")
        if led.unsent:
            verdict.violations.append(
                f"{led.store}/{led.node}: {led.unsent} rows never acked by the cloud"
            )


def _check_sales(
    session: Session, ledgers: list[NodeLedger], store_ids: dict[str, int], verdict: Verdict
) -> None:
    for led in ledgers:
        if not led.sales:
            continue
        rows = session.execute(
            select(Sale.sale_id, Sale.total).where(
                Sale.store_id == store_ids[led.store], Sale.node == led.node
            )
        ).all()
        verdict.sales += len(rows)
        cloud = Counter(sale_id for sale_id, _ in rows)
        emitted = set(led.sales)
        if set(cloud) != emitted or any(n > 1 for n in cloud.values()):
            verdict.violations.append(
                f"{led.store}/{led.node}: sales differ: {len(emitted - set(cloud))} missing,"
                f" {len(set(cloud) - emitted)} unknown,"
                f" {sum(n > 1 for n in cloud.values())} doubled"
            )
        cloud_total = sum((Decimal(t) for _, t in rows), Decimal(0))
        node_total = sum((Decimal(str(s["total"])) for s in led.sales.values()), Decimal(0))
        if cloud_total != node_total:
            verdict.violations.append(
                f"{led.store}/{led.node}: Σ totals cloud {cloud_total} != node {node_total}"
            )


def _check_ledger(
    session: Session,
    ledgers: list[NodeLedger],
    store_ids: dict[str, int],
    receipts: dict[tuple[str, str], Decimal],
    verdict: Verdict,
) -> None:
    """Σ movements per (store, product) = −Σ qty sold + Σ received."""
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for led in ledgers:
        for sale in led.sales.values():
            qty = sale["qty"]
            assert isinstance(qty, dict)
            for gtin, n in qty.items():
                expected[(led.store, gtin)] -= Decimal(str(n))
    for key, qty in receipts.items():
        expected[key] += qty
    codes = {sid: code for code, sid in store_ids.items()}
    gtin_of = _gtins_by_product(session)
    actual: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    sums = session.execute(
        select(Movement.store_id, Movement.product_id, func.sum(Movement.qty)).group_by(
            Movement.store_id, Movement.product_id
        )
    )
    for store_id, product_id, total in sums:
        actual[(codes[store_id], gtin_of.get(product_id, f"product:{product_id}"))] += total
    for key in sorted(set(expected) | set(actual)):
        if expected.get(key, Decimal(0)) != actual.get(key, Decimal(0)):
            verdict.violations.append(
                f"ledger {key}: movements {actual.get(key)} != expected {expected.get(key)}"
            )


def _gtins_by_product(session: Session) -> dict[int | None, str]:
    rows = session.execute(select(ProductBarcode.product_id, ProductBarcode.gtin)).all()
    out: dict[int | None, str] = {}
    for product_id, gtin in rows:
        out.setdefault(product_id, gtin)
    return out


def _check_points(session: Session, ledgers: list[NodeLedger], verdict: Verdict) -> None:
    member_sales = {sid for led in ledgers for sid, s in led.sales.items() if s["member"]}
    plain_sales = {sid for led in ledgers for sid, s in led.sales.items() if not s["member"]}
    earned = Counter(
        session.scalars(select(PointsEntry.sale_id).where(PointsEntry.kind == "earn")).all()
    )
    if any(n > 1 for n in earned.values()):
        verdict.violations.append("points earned more than once for a sale")
    missing = member_sales - set(earned)
    if missing:
        verdict.violations.append(f"{len(missing)} member sale(s) earned no points")
    if plain_sales & set(earned):
        verdict.violations.append("points earned on a sale without a member")
    for member_id, balance in session.execute(select(Member.id, Member.points_balance)):
        total = session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.member_id == member_id
            )
        )
        if int(total or 0) != balance:
            verdict.violations.append(f"member {member_id}: balance {balance} != ledger {total}")


def _check_alerts(
    session: Session, ledgers: list[NodeLedger], store_ids: dict[str, int], verdict: Verdict
) -> None:
    alerts = session.scalars(select(Alert)).all()
    open_by_key = Counter(
        (a.store_id, a.source, a.type) for a in alerts if a.status in OPEN_STATUSES
    )
    for open_key, n in open_by_key.items():
        if n > 1:
            verdict.violations.append(f"alert {open_key}: {n} open at once")
    for a in alerts:
        if a.resolved_at is not None and a.resolved_at < a.opened_at:
            verdict.violations.append(f"alert {a.id} {a.source}/{a.type}: resolved before opened")
        if a.status not in OPEN_STATUSES and a.resolved_at is None:
            verdict.violations.append(f"alert {a.id}: cleared without a resolved time")
    for led in ledgers:
        sid = store_ids[led.store]
        expected: set[tuple[str, str]] = set()
        for key, state in led.toggles.items():
            if key == "intervention" and state == "raised":
                expected.add((led.node, "kiosk_intervention"))
            elif key.startswith("fault:") and state == "active":
                expected.add((f"{led.node}/{key.split(':', 1)[1]}", "device_fault"))
            elif key.startswith("lane:"):
                source = f"{led.node}/{key.split(':', 1)[1]}"
                expected |= {(source, t) for t in LANE_ALERTS[state]}
        out_lanes = {
            f"{led.node}/{k.split(':', 1)[1]}" for k, v in led.toggles.items() if v == "out"
        }
        actual = {
            (src, typ)
            for (s, src, typ) in open_by_key
            if s == sid
            and src.split("/", 1)[0] == led.node
            and typ not in NODE_STATE_ALERTS
            and not (typ == OPTIONAL_WHEN_OUT and src in out_lanes)
        }
        if expected != actual:
            verdict.violations.append(
                f"{led.store}/{led.node}: open alerts {sorted(actual)}"
                f" != node state {sorted(expected)}"
            )


def _check_lanes(
    session: Session, ledgers: list[NodeLedger], store_ids: dict[str, int], verdict: Verdict
) -> None:
    """The cloud's lane state is the node's last one, whatever order events arrived in."""
    for led in ledgers:
        lanes = {k.split(":", 1)[1]: v for k, v in led.toggles.items() if k.startswith("lane:")}
        for lane, state in lanes.items():
            got = session.scalar(
                select(LaneState.state).where(
                    LaneState.store_id == store_ids[led.store],
                    LaneState.node == led.node,
                    LaneState.lane == lane,
                )
            )
            if got != state:
                verdict.violations.append(f"{led.store}/{led.node}/{lane}: cloud {got} != {state}")


def _check_dead_letters(session: Session, malformed: set[bytes], verdict: Verdict) -> None:
    payloads = {bytes(p) for p in session.scalars(select(DeadLetter.payload))}
    unexpected = payloads - malformed
    missing = malformed - payloads
    if unexpected:
        sample = sorted(unexpected)[0][:120]
        verdict.violations.append(f"{len(unexpected)} unexpected dead letter(s), e.g. {sample!r}")
    if missing:
        verdict.violations.append(f"{len(missing)} malformed message(s) not dead-lettered")
