"""A light kiosk for the update acceptance test and the fault fleet, shipped *inside* the bundles.

The test copies this file into each bundle's source tree as ``updnode/__main__.py`` beside
the real ``contracts`` and ``edge`` packages, so every version a node runs is the code of
that version's directory (``python -m updnode`` with ``PYTHONPATH=<version>/app:…/site``).
It is a node on the real edge parts: ``Outbox`` (SQLite in the data directory, outside the
version directories), ``Link``, ``CommandRouter``, ``Runtime`` and the update agent wired by
``edge.updates.wiring``. It sells at a steady pace; a sale is "in progress" for a moment
before its one outbox transaction (the sale's event and a ledger row), and the agent waits
for the moment between two sales. SIGTERM (the agent's restart) stops it at a sale boundary.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

from contracts.topics import commands_filter
from edge.config import MqttSettings, NodeIdentity, OutboxSettings, UpdateSettings
from edge.inbound import CommandRouter
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Runtime
from edge.updates.wiring import wire_updates

LEDGER_DDL = "CREATE TABLE IF NOT EXISTS sold (sale_id TEXT PRIMARY KEY, version TEXT)"
GTIN = "06901234567892"


def sale(sale_id: str) -> dict[str, object]:
    price = Decimal("3.50")
    return {
        "sale_id": sale_id,
        "completed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "currency": "CNY",
        "member": None,
        "lines": [
            {
                "gtin": GTIN,
                "name": "Item",
                "qty": "1",
                "unit_price": str(price),
                "amount": str(price),
                "discounts": [],
            }
        ],
        "subtotal": str(price),
        "discount_total": "0.00",
        "tax_total": "0.00",
        "total": str(price),
        "tenders": [{"method": "cash", "amount": str(price), "reference": ""}],
        "change": "0.00",
    }


class Seller:
    """Sells every ``period`` seconds; ``busy`` is set while a sale is under way."""

    name = "seller"

    def __init__(self, outbox: Outbox, version: str, period: float, stop_file: Path) -> None:
        self.outbox = outbox
        self.version = version
        self.period = period
        self.stop_file = stop_file
        self.busy = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="seller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.period) and not self.stop_file.exists():
            self.busy.set()  # scanning and paying
            try:
                time.sleep(self.period / 3)
                sale_id = uuid.uuid4().hex
                with self.outbox.transaction() as tx:
                    tx.emit("sale", sale(sale_id))
                    tx.conn.execute("INSERT INTO sold VALUES (?, ?)", (sale_id, self.version))
            finally:
                self.busy.clear()


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("--root", "--data"):
        p.add_argument(name, type=Path, required=True)
    for name in ("--store", "--node", "--url", "--key"):
        p.add_argument(name, required=True)
    p.add_argument("--period", type=float, default=1.0)
    p.add_argument("--trial", type=float, default=8.0)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    version = Path(__file__).resolve().parents[2].name  # versions/<v>/app/updnode/__main__.py
    settings = OutboxSettings(
        path=args.data / "outbox.sqlite3", sync="normal", replay_rate=2000.0,
        ack_timeout=2.0, ack_timeout_min=1.0, ack_timeout_max=4.0,
    )  # fmt: skip
    identity = NodeIdentity(store=args.store, node=args.node)
    outbox = Outbox.open(settings.path, args.store, args.node, settings)
    outbox.ensure_schema(LEDGER_DDL)
    mqtt = MqttSettings(url=args.url, backoff_min=0.1, backoff_max=1.0, heartbeat_s=2.0)
    link = Link(mqtt, identity, outbox, kind="kiosk", outbox_settings=settings)
    router = CommandRouter(identity, lambda topic, payload: link.publish_now(topic, payload))
    link.route(commands_filter(args.store, args.node), router)
    seller = Seller(outbox, version, args.period, args.data / "stop-selling")
    updates = UpdateSettings(
        root=args.root, public_key=args.key, trial_s=args.trial, passes=2, interval_s=0.5,
        idle_poll_s=0.05,
    )  # fmt: skip
    agent = wire_updates(
        updates, kind="kiosk", link=link, router=router, outbox=outbox,
        idle=lambda: not seller.busy.is_set(),
    )  # fmt: skip
    assert agent is not None
    try:
        Runtime([link, seller, agent]).run()
    finally:
        outbox.close()


if __name__ == "__main__":
    main()
