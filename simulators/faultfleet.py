"""``smartstore simulate fleet --faults``: N real stores, one cloud, faults in the node code.

Each store runs kiosk-1, kiosk-2 and shelf-1 (the real node code on simulated devices, as
``simulate store``) with two faults of its own from :mod:`simulators.faultplan`; the
broker itself restarts once for the whole fleet. The cloud (ingest, API, SQLite or
PostgreSQL) and the broker run here. At the end the verdict comes from the cloud's REST API
only: every sale the kiosks recorded applied once (or held as a dead letter with its
reason), each fault's alert raised and cleared.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from simulators.cloud import LocalCloud
from simulators.cloudapi import CloudApi
from simulators.faultplan import FleetFault, NodeFacts, Verdict, judge, store_faults
from simulators.scenario import DiskFull, Scenario, load_scenario
from simulators.simtime import seconds_into_day
from simulators.store import KIOSKS, SHELF, StoreSimulation
from smartstore.broker import EmbeddedBroker, free_port
from smartstore.mosquitto import MosquittoBroker, pick_engine

log = logging.getLogger(__name__)

START = 10 * 3600.0
"""The simulated day starts at 10:00 in each store's zone, today."""
SKEW_LIMIT_S = 2 * 86_400.0
"""How far ahead the cloud lets node clocks run: the simulated day may start up to a day
from real time (10:00 in the store's zone), plus the run; a skewed clock runs a day more."""


@dataclass
class FleetResult:
    stores: int
    minutes: float
    sold: int = 0
    applied: int = 0
    duplicates: int = 0
    held: int = 0
    """Sales the cloud holds as dead letters (clock skew), each with its reason."""
    missing: list[str] = field(default_factory=list)
    """Sale ids a kiosk recorded that the cloud has neither applied nor held."""
    verdicts: list[Verdict] = field(default_factory=list)
    broker_restarts: int = 0
    unmatched_charges: list[str] = field(default_factory=list)
    """Terminal charges approved without a card tender in a recorded sale, or the reverse."""
    unmatched_on_full_disk: list[str] = field(default_factory=list)
    """The same on a kiosk whose disk filled: a known limit (docs/RELIABILITY.md), reported
    and not failed: a card approved while the kiosk cannot save the sale stays approved."""

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.unmatched_charges
            and self.duplicates == 0
            and self.applied + self.held == self.sold
            and all(v.ok for v in self.verdicts)
        )

    def lines(self) -> list[str]:
        out = [
            f"fleet: {self.stores} stores x {self.minutes:g} simulated minutes;"
            f" broker restarts {self.broker_restarts}",
            f"sales: sold {self.sold}, applied {self.applied}, held as dead letters"
            f" {self.held}, missing {len(self.missing)}, applied twice {self.duplicates}",
            f"card charges approved without a sale, or the reverse: {len(self.unmatched_charges)}"
            f" (on a kiosk whose disk filled, a known limit: {len(self.unmatched_on_full_disk)})",
            f"     {'store':<8} {'fault':<18} {'target':<16} detected -> outcome",
        ]
        for v in self.verdicts:
            mark = "ok  " if v.ok else "FAIL"
            out.append(
                f"{mark} {v.store:<8} {v.kind:<18} {v.target:<16} {v.detected} -> {v.outcome}"
            )
        out.append("verdict: " + ("ok" if self.ok else "FAILED"))
        return out


class OwnBroker:
    """The fleet's broker, restartable on the same port (Mosquitto when installed)."""

    def __init__(self, engine: str = "auto") -> None:
        self.engine = pick_engine(engine)
        self.port = free_port()
        self._broker: MosquittoBroker | EmbeddedBroker | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        cls = MosquittoBroker if self.engine == "mosquitto" else EmbeddedBroker
        self._broker = cls("127.0.0.1", self.port)
        self._broker.start()

    def stop(self) -> None:
        if self._broker is not None:
            self._broker.stop()
            self._broker = None

    def restart(self, down_s: float) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


@dataclass
class FaultFleet:
    stores: int
    minutes: float
    data_dir: Path
    database_url: str | None = None
    speed: float = 10.0
    seed: int = 1
    engine: str = "auto"
    lanes: int = 3
    progress: Callable[[str], None] = log.info
    sims: dict[str, StoreSimulation] = field(default_factory=dict)

    def scenario(self, index: int) -> Scenario:
        window = self.minutes * 60.0
        faults = store_faults(
            index,
            seed=self.seed,
            start=START,
            window=window,
            lanes=self.lanes,
            skew_s=SKEW_LIMIT_S + 86_400.0,
        )
        base = load_scenario("faults")
        return base.model_copy(
            update={
                "name": f"fleet-{index + 1}",
                "seed": self.seed * 1000 + index,
                "speed": self.speed,
                "start": START,
                "end": START + window,
                "shoppers": base.shoppers.model_copy(
                    update={"per_hour": dict.fromkeys(range(24), 240)}
                ),
                "shelf": base.shelf.model_copy(update={"lanes": self.lanes, "rate_hz": 50.0}),
                "faults": faults,
            }
        )

    def run(self) -> FleetResult:
        broker = OwnBroker(self.engine)
        broker.start()
        url = self.database_url or f"sqlite:///{self.data_dir / 'cloud.sqlite3'}"
        cloud = LocalCloud(url, broker.url, port=free_port(), max_future_skew_s=SKEW_LIMIT_S)
        password = secrets.token_urlsafe(12)
        apis: list[CloudApi] = []
        try:
            cloud.prepare(password)
            cloud.start_ingest()
            cloud.start_api()
            admin = CloudApi(cloud.url, "admin", password, timeout=60.0)
            apis.append(admin)
            codes = [f"ff-{i + 1:03d}" for i in range(self.stores)]
            for code in codes:
                admin.ensure_store(code, f"Fault fleet {code}")
                for node in (*KIOSKS, SHELF):
                    admin.ensure_device(code, node, "shelf" if node == SHELF else "kiosk")
            cloud.publish_pricebook(codes)
            for i, code in enumerate(codes):
                api = CloudApi(cloud.url, "admin", password, timeout=60.0)  # a busy cloud
                apis.append(api)
                self.sims[code] = StoreSimulation(
                    self.scenario(i), broker.url, self.data_dir / code, store=code, cloud=api
                )
            with ThreadPoolExecutor(4, thread_name_prefix="fleet-open") as pool:
                for code in pool.map(self._open, codes):
                    self.progress(f"{code} open")
            restarts = self._play(broker)
            return self._verdict(admin, restarts)
        finally:
            for sim in self.sims.values():
                sim.stop()
            for api in apis:
                api.close()
            cloud.stop()
            broker.stop()

    def _open(self, code: str) -> str:
        self.sims[code].start(book_timeout=180.0)  # twenty stores opening load the machine
        return code

    def _play(self, broker: OwnBroker) -> int:
        """Wait out the window; the broker restarts once, when the stores' faults are over."""
        window_real = self.minutes * 60.0 / self.speed
        restart = FleetFault(at_s=window_real * 0.85, down_s=min(5.0, window_real / 10))
        timer = threading.Timer(restart.at_s, broker.restart, args=(restart.down_s,))
        timer.daemon = True
        timer.start()
        deadline = time.monotonic() + window_real * 3 + 120
        while time.monotonic() < deadline:
            if all(sim.idle() for sim in self.sims.values()):
                break
            self.progress(" | ".join(s.progress() for s in list(self.sims.values())[:3]))
            time.sleep(5)
        timer.join()
        self._drain(deadline=time.monotonic() + 120)
        return 1

    def _drain(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if sum(s.outbox_depth() for s in self.sims.values()) == 0:
                time.sleep(3)  # the last acks and the ingest's last batch
                return
            time.sleep(1)
        log.warning("fleet outboxes not drained before the deadline")

    def _verdict(self, admin: CloudApi, restarts: int) -> FleetResult:
        result = FleetResult(self.stores, self.minutes, broker_restarts=restarts)
        dead = admin.dead_letters()
        for code, sim in self.sims.items():
            local = {s.sale_id for s in sim.local_sales()}
            cloud_ids = [s["sale_id"] for s in admin.sales(code)]
            held = _held_sale_ids(dead, code)
            skewed = self._skewed(sim)
            result.sold += len(local)
            result.applied += len(set(cloud_ids) & local)
            result.duplicates += len(cloud_ids) - len(set(cloud_ids))
            result.held += len(local & held)
            result.missing += sorted(local - set(cloud_ids) - held)
            full = {f.node for f in sim.scenario.faults if isinstance(f, DiskFull)}
            for entry in _unmatched_charges(sim):
                known = entry.split(":", 1)[0] in full
                sink = result.unmatched_on_full_disk if known else result.unmatched_charges
                sink.append(entry)
            alerts = admin.alerts(code)
            for fault in sim.scenario.faults:
                node = getattr(fault, "node", "")
                facts = NodeFacts(
                    _charges(sim, node),
                    frozenset(skewed.get(node, set())),
                    refused=sim.tally.stats["error_store_error"],
                    sales_after=_sales_after(sim, node, fault.at + getattr(fault, "duration", 0)),
                )
                result.verdicts.append(judge(code, fault, alerts, held, facts))
        return result

    @staticmethod
    def _skewed(sim: StoreSimulation) -> dict[str, set[str]]:
        """Per kiosk, the sales stamped beyond the cloud's skew limit (the clock_skew fault:
        the simulated day itself starts within a day of real time, see SKEW_LIMIT_S)."""
        limit = datetime.now(UTC) + timedelta(seconds=SKEW_LIMIT_S)
        out: dict[str, set[str]] = {}
        for name, kiosk in sim.kiosks.items():
            if kiosk.node is not None:
                sales = kiosk.node.parts.session.store.open_sales()[0]
                out[name] = {s.sale_id for s in sales if s.completed_at > limit}
        return out


def _held_sale_ids(dead: list[dict[str, Any]], store: str) -> set[str]:
    ids: set[str] = set()
    for d in dead:
        if f"/{store}/" not in d["topic"] or not d["topic"].endswith("/evt/sale"):
            continue
        if "future" not in d["reason"]:
            continue
        try:
            ids.add(str(json.loads(d["payload_text"])["data"]["sale_id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def _charges(sim: StoreSimulation, kiosk: str) -> dict[str, int]:
    """The kiosk's simulated terminal's charges by status (its own state file)."""
    path = sim.data_dir / kiosk / "terminal.sqlite3"
    if not kiosk.startswith("kiosk") or not path.exists():
        return {}
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT status, count(*) FROM charges GROUP BY status").fetchall()
    return {str(status): int(n) for status, n in rows}


def _sales_after(sim: StoreSimulation, kiosk: str, tod: float) -> int:
    """Sales the kiosk completed after ``tod`` (seconds into the simulated day)."""
    node = sim.kiosks[kiosk].node if kiosk in sim.kiosks else None
    if node is None:
        return 0
    sales = node.parts.session.store.open_sales()[0]
    return sum(1 for s in sales if seconds_into_day(s.completed_at, sim.tz) > tod)


def _unmatched_charges(sim: StoreSimulation) -> list[str]:
    """Per kiosk: approved charges (the terminal's own file) against the card tenders of
    the sales it recorded, by reference; what is on one side only, as ``node:reference``."""
    out: list[str] = []
    for name, kiosk in sim.kiosks.items():
        path = sim.data_dir / name / "terminal.sqlite3"
        if kiosk.node is None or not path.exists():
            continue
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT reference FROM charges WHERE status = 'approved'")
            charged = {str(r) for (r,) in rows}
        sales = kiosk.node.parts.session.store.open_sales()[0]
        tendered = {t.reference for s in sales for t in s.tenders if t.method == "card"}
        out += [f"{name}:{ref}" for ref in sorted(charged ^ tendered)]
    return out
