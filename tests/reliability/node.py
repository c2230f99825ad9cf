"""One soak store as a process: a kiosk node and a shelf node on the REAL edge outbox + link.

``python -m tests.reliability.node --dir D --url mqtt://… --store s01 --rate 4`` emits events
until SIGTERM (clean stop) or SIGKILL (the soak's node kill -9). Every event is written with a
row of the soak's own ledger table *in the same local transaction* as its outbox row, so after
any crash the node's database says exactly what it emitted: the invariants are checked against
it, never against what the driver believes it sent.

The nodes' behaviour is a small state machine resumed from that table after a restart:
kiosk sales (some with a member), intervention raise → clear pairs; shelf lanes cycling
ok → low → out → ok, and device faults active → cleared.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sqlite3
import sys
import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox, OutboxTx

log = logging.getLogger(__name__)

GTINS = ("06901234567892", "06920000000012", "06920000000029", "06920000000036")
PRICES = {g: Decimal("3.50") + i for i, g in enumerate(GTINS)}
MEMBER_PHONES = tuple(f"1390000{i:04d}" for i in range(5))
LANES = ("a1", "a2")
STOCK_CYCLE = ("ok", "low", "out", "ok")

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS soak_emitted (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


@dataclass
class Emitter:
    """A node: its outbox and link, and the last state of each toggle read from its ledger."""

    outbox: Outbox
    link: Link
    state: dict[str, str]

    def emit(self, event_type: str, data: dict[str, Any], key: str, detail: dict[str, Any]) -> None:
        with self.outbox.transaction() as tx:
            self._emit(tx, event_type, data, key, detail)

    @staticmethod
    def _emit(
        tx: OutboxTx, event_type: str, data: dict[str, Any], key: str, detail: dict[str, Any]
    ) -> None:
        env = tx.emit(event_type, data)
        tx.conn.execute(
            "INSERT INTO soak_emitted (seq, type, key, detail) VALUES (?, ?, ?, ?)",
            (env.seq, event_type, key, json.dumps(detail)),
        )


def open_node(base: Path, url: str, store: str, node: str, kind: str) -> Emitter:
    path = base / f"{node}.sqlite3"
    settings = OutboxSettings(path=path, replay_rate=2000.0, sync="normal")
    outbox = Outbox.open(path, store, node, settings)
    outbox.ensure_schema(LEDGER_DDL)
    mqtt = MqttSettings(url=url, keepalive=5, backoff_min=0.1, backoff_max=1.0)
    link = Link(mqtt, NodeIdentity(store=store, node=node), outbox, kind=kind)
    return Emitter(outbox, link, last_toggles(path))


def last_toggles(path: Path) -> dict[str, str]:
    """Each toggle's (intervention, fault, lane) latest state from the node's ledger."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT key, json_extract(detail, '$.state') FROM soak_emitted"
            " WHERE type != 'sale' ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    return {str(k): str(s) for k, s in rows}


def sale_event(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for gtin in rng.sample(GTINS, rng.randint(1, 3)):
        qty = rng.randint(1, 3)
        lines.append(
            {
                "gtin": gtin,
                "name": f"Item {gtin[-3:]}",
                "qty": str(qty),
                "unit_price": str(PRICES[gtin]),
                "amount": str(PRICES[gtin] * qty),
                "discounts": [],
            }
        )
    total = sum((Decimal(str(ln["amount"])) for ln in lines), Decimal(0))
    paid = (total // 10 + 1) * 10
    member = {"phone": rng.choice(MEMBER_PHONES)} if rng.random() < 0.4 else None
    sale_id = f"soak-{uuid.uuid4().hex}"
    data = {
        "sale_id": sale_id,
        "completed_at": "2026-03-02T09:30:00Z",
        "currency": "CNY",
        "member": member,
        "lines": lines,
        "subtotal": str(total),
        "discount_total": "0.00",
        "tax_total": str((total * Decimal("0.13") / Decimal("1.13")).quantize(Decimal("0.01"))),
        "total": str(total),
        "tenders": [{"method": "cash", "amount": str(paid), "reference": ""}],
        "change": str(paid - total),
    }
    detail = {
        "sale_id": sale_id,
        "total": str(total),
        "member": member is not None,
        "qty": {ln["gtin"]: ln["qty"] for ln in lines},
    }
    return data, detail


def kiosk_step(kiosk: Emitter, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.8:
        data, detail = sale_event(rng)
        kiosk.emit("sale", data, detail["sale_id"], detail)
        return
    key = "intervention"
    raised = kiosk.state.get(key) == "raised"
    state = "cleared" if raised else "raised"
    data = {
        "intervention_id": f"iv-{kiosk.outbox.last_seq + 1}",
        "kind": "weight_mismatch",
        "state": state,
        "detail": "soak",
        "cleared_by": "staff" if raised else None,
    }
    kiosk.emit("intervention", data, key, {"state": state})
    kiosk.state[key] = state


def shelf_step(shelf: Emitter, rng: random.Random) -> None:
    if rng.random() < 0.8:
        lane = rng.choice(LANES)
        key = f"lane:{lane}"
        current = shelf.state.get(key, "ok")
        nxt = STOCK_CYCLE[STOCK_CYCLE.index(current) + 1]
        count = {"ok": 10, "low": 2, "out": 0}[nxt]
        gtin = GTINS[LANES.index(lane)]
        data = {
            "lane": lane,
            "sku": f"SKU-{LANES.index(lane)}",
            "gtin": gtin,
            "count": count,
            "grams": str(count * 250),
            "state": nxt,
        }
        shelf.emit("stock", data, key, {"state": nxt})
        shelf.state[key] = nxt
        return
    key = "fault:loadcell"
    active = shelf.state.get(key) != "active"
    data = {"code": "sensor_stuck", "component": "loadcell", "active": active, "message": "soak"}
    shelf.emit("fault", data, key, {"state": "active" if active else "cleared"})
    shelf.state[key] = "active" if active else "cleared"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="Where the nodes' SQLite files go")
    parser.add_argument("--url", required=True, help="Broker (or uplink relay) URL")
    parser.add_argument("--store", required=True)
    parser.add_argument("--rate", type=float, default=4.0, help="Events per second per node")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    args.dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{args.seed}-{args.store}-{os.getpid()}")
    kiosk = open_node(args.dir, args.url, args.store, "kiosk-1", "kiosk")
    shelf = open_node(args.dir, args.url, args.store, "shelf-1", "shelf")
    stop = threading.Event()
    paused = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # SIGUSR1: stop emitting but keep draining (the soak's quiet phase before the checks)
    signal.signal(signal.SIGUSR1, lambda *_: paused.set())
    for node in (kiosk, shelf):
        node.link.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        while not stop.is_set():
            if not paused.is_set():
                kiosk_step(kiosk, rng)
                shelf_step(shelf, rng)
            stop.wait(rng.expovariate(args.rate))
    finally:
        for node in (kiosk, shelf):
            node.link.stop()
            node.outbox.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
