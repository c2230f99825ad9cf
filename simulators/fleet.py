"""``smartstore simulate fleet``: many light nodes in one process, for load and scale tests.

Each node is the real edge runtime (a SQLite outbox and an MQTT link with its will and
state) without devices: one emitter thread writes a realistic mix of events into the
outboxes at ``rate`` events per second in total, and every link drains its own outbox.
The mix per store follows the single-store simulation: mostly shelf telemetry, a sale every
few seconds per kiosk, rare faults.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from contracts.messages import FaultData, SaleData, ShelfEventData, StockData
from edge.config import NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from simulators.nodes import mqtt_settings

log = logging.getLogger(__name__)

MIX: tuple[tuple[str, float], ...] = (
    ("shelf_event", 0.40),
    ("stock", 0.40),
    ("sale", 0.17),
    ("fault", 0.03),
)
CENT = Decimal("0.01")


def _gtin(rng: random.Random) -> str:
    body = "0690" + "".join(rng.choice("0123456789") for _ in range(9))
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def fake_sale(rng: random.Random, now: datetime) -> SaleData:
    """A balanced sale of 1-5 lines paid by card (tax included)."""
    lines = []
    for _ in range(rng.randint(1, 5)):
        price = (Decimal(rng.randint(90, 5000)) / 100).quantize(CENT)
        qty = rng.randint(1, 3)
        lines.append(
            {
                "gtin": _gtin(rng),
                "name": "Fleet item",
                "qty": str(qty),
                "unit_price": str(price),
                "amount": str(price * qty),
            }
        )
    total = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))
    tax = (total * Decimal("0.13") / Decimal("1.13")).quantize(CENT)
    return SaleData.model_validate(
        {
            "sale_id": uuid.uuid4().hex,
            "completed_at": now,
            "currency": "CNY",
            "lines": lines,
            "subtotal": str(total),
            "discount_total": "0",
            "tax_total": str(tax),
            "total": str(total),
            "tenders": [{"method": "card", "amount": str(total), "reference": "fleet"}],
            "change": "0",
        }
    )


def fake_event(kind: str, rng: random.Random, now: datetime) -> Any:
    lane = f"l{rng.randint(1, 8)}"
    count = rng.randint(0, 20)
    if kind == "sale":
        return fake_sale(rng, now)
    if kind == "stock":
        state: Literal["ok", "low", "out"] = (
            "out" if count == 0 else ("low" if count <= 3 else "ok")
        )
        return StockData(
            lane=lane,
            sku=f"SKU-{lane}",
            gtin=_gtin(rng),
            count=count,
            grams=Decimal(count * 350),
            state=state,
        )
    if kind == "shelf_event":
        return ShelfEventData(
            lane=lane, type="pick", qty=1, delta_grams=Decimal("-350.0"), count=count
        )
    return FaultData(
        code="sensor_spike", component=f"lane:{lane}", severity="warning", active=rng.random() < 0.5
    )


NODES: tuple[tuple[str, str], ...] = (
    ("kiosk-1", "kiosk"),
    ("kiosk-2", "kiosk"),
    ("shelf-1", "shelf"),
)
"""The nodes of every fleet store: (node id, kind)."""


class Registrar(Protocol):
    """What :meth:`Fleet.register` needs of the cloud (``simulators.cloudapi.CloudApi``)."""

    def ensure_store(self, code: str, name: str) -> bool: ...

    def ensure_device(self, store: str, node: str, kind: str) -> bool: ...


def store_code(i: int) -> str:
    return f"fleet-{i:03d}"


@dataclass
class FleetNode:
    identity: NodeIdentity
    kind: str
    outbox: Outbox
    link: Link


@dataclass
class Fleet:
    stores: int
    mqtt_url: str
    data_dir: Path
    rate: float = 100.0
    protocol: Literal["auto", "5", "3.1.1"] = "auto"
    seed: int = 1
    end_to_end_acks: bool = True
    """Off only without a cloud (a broker-only bench): a PUBACK is then delivery."""
    nodes: list[FleetNode] = field(default_factory=list)
    emitted: int = 0
    refused: int = 0
    mix: Counter[str] = field(default_factory=Counter)
    """Events emitted by type."""

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, cloud: Registrar) -> tuple[int, int]:
        """Create the fleet's stores and devices in the cloud before any node connects.

        The ingest dead-letters events of unknown devices, so an unregistered fleet only
        exercises the dead-letter path. Idempotent: returns (stores, devices) created now.
        """
        stores = devices = 0
        for i in range(1, self.stores + 1):
            code = store_code(i)
            stores += cloud.ensure_store(code, f"Fleet store {i}")
            for node, kind in NODES:
                devices += cloud.ensure_device(code, node, kind)
        log.info("fleet registered: %d store(s), %d device(s) new", stores, devices)
        return stores, devices

    def start(self) -> None:
        settings = mqtt_settings(self.mqtt_url, self.protocol)
        for i in range(1, self.stores + 1):
            store = store_code(i)
            for node, kind in NODES:
                ident = NodeIdentity(store=store, node=node)
                path = self.data_dir / store / f"{node}.sqlite3"
                box_settings = OutboxSettings(
                    path=path, sync="normal", end_to_end_acks=self.end_to_end_acks
                )
                outbox = Outbox.open(path, store, node, box_settings)
                link = Link(settings, ident, outbox, kind=kind, outbox_settings=box_settings)
                link.start()
                self.nodes.append(FleetNode(ident, kind, outbox, link))
        self._thread = threading.Thread(target=self._emit, name="fleet-emit", daemon=True)
        self._thread.start()

    def _emit(self) -> None:
        rng = random.Random(self.seed)
        kinds, weights = zip(*MIX, strict=True)
        kiosks = [n for n in self.nodes if n.kind == "kiosk"]
        shelves = [n for n in self.nodes if n.kind == "shelf"]
        period = 1.0 / self.rate
        next_at = time.monotonic()
        while not self._stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            node = rng.choice(kiosks if kind == "sale" else shelves)
            try:
                node.outbox.emit(kind, fake_event(kind, rng, datetime.now(UTC)))
                self.emitted += 1
                self.mix[kind] += 1
            except Exception as exc:  # a full outbox refuses sales: count, go on
                self.refused += 1
                log.debug("event refused: %s", exc)
            next_at += period
            delay = next_at - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            elif delay < -1.0:
                next_at = time.monotonic()  # cannot keep up: do not burst to catch up

    def connected(self) -> int:
        return sum(1 for n in self.nodes if n.link.connected)

    def depth(self) -> int:
        return sum(n.outbox.depth() for n in self.nodes)

    def pause(self) -> None:
        """Stop emitting; the links keep draining what the outboxes hold."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def published(self) -> int:
        return sum(n.link.drainer.counters["published"] for n in self.nodes)

    def stop(self) -> None:
        self.pause()
        for node in self.nodes:
            node.link.stop()
            node.outbox.close()
