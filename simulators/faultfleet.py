"""``smartstore simulate fleet --faults``: N real stores, one cloud, faults in the node code.

Each store runs kiosk-1, kiosk-2 and shelf-1 (the real node code on simulated devices, as
``simulate store``) with two faults of its own from :mod:`simulators.faultplan`; the
broker itself restarts once for the whole fleet. The cloud (ingest, API, SQLite or
PostgreSQL) and the broker run here; the stores' node code runs in worker processes
(:mod:`simulators.faultpool`), a slice each, so a big fleet is not one GIL. At the end the
verdict comes from the cloud's REST API only: every sale the kiosks recorded applied once
(or held as a dead letter with its reason), each fault's alert raised and cleared. One more
node of the first store, a real subprocess from A/B version directories, gets a bad update
(:mod:`simulators.badupdate`): its rollout must halt and the node return to its good version.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulators.badupdate import BadUpdateRun
from simulators.cloud import LocalCloud
from simulators.cloudapi import CloudApi
from simulators.faultplan import FleetFault, Verdict, judge, judge_update
from simulators.faultpool import Workers
from simulators.faultworker import SKEW_LIMIT_S, FleetSpec, StoreFacts, fleet_scenario
from simulators.store import KIOSKS, SHELF
from smartstore.broker import EmbeddedBroker, free_port
from smartstore.mosquitto import MosquittoBroker, pick_engine

log = logging.getLogger(__name__)

STORES_PER_WORKER = 5
"""Stores per worker process by default: each store is three nodes and their devices."""


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
    """Terminal charges approved (and not refunded) without a card tender in a recorded
    sale, or the reverse."""
    voided: int = 0
    """Approved charges a kiosk refunded in full because it could not save the sale."""

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
            f" (voided by a kiosk that could not save the sale: {self.voided})",
            f"     {'store':<8} {'fault':<18} {'target':<16} detected -> outcome",
        ]
        for v in self.verdicts:
            mark = "ok  " if v.ok else "FAIL"
            out.append(
                f"{mark} {v.store:<8} {v.kind:<18} {v.target:<16} {v.detected} -> {v.outcome}"
            )
        out += [f"     unmatched charge {entry}" for entry in self.unmatched_charges]
        out += [f"     missing sale {sale_id}" for sale_id in self.missing[:20]]
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
    workers: int = 0
    """Worker processes for the stores' node code (0: one per :data:`STORES_PER_WORKER`)."""
    drain_s: float = 600.0
    """How long to wait, after the window, for every outbox to be acknowledged."""
    bad_update: bool = True
    """One more node of the first store gets a broken version through the real update path
    (:mod:`simulators.badupdate`)."""
    progress: Callable[[str], None] = log.info

    def spec(self, cloud_url: str, broker_url: str, password: str) -> FleetSpec:
        return FleetSpec(
            self.minutes,
            self.speed,
            self.seed,
            self.lanes,
            self.data_dir,
            broker_url,
            cloud_url,
            password,
        )

    def run(self) -> FleetResult:
        broker = OwnBroker(self.engine)
        broker.start()
        url = self.database_url or f"sqlite:///{self.data_dir / 'cloud.sqlite3'}"
        cloud = LocalCloud(url, broker.url, port=free_port(), max_future_skew_s=SKEW_LIMIT_S,
                           updates_dir=self.data_dir / "updates")  # fmt: skip
        password = secrets.token_urlsafe(12)
        pool: Workers | None = None
        bad: BadUpdateRun | None = None
        try:
            cloud.prepare(password)
            cloud.start_ingest()
            cloud.start_api()
            with closing(CloudApi(cloud.url, "admin", password, timeout=60.0)) as admin:
                codes = [f"ff-{i + 1:03d}" for i in range(self.stores)]
                for code in codes:
                    admin.ensure_store(code, f"Fault fleet {code}")
                    for node in (*KIOSKS, SHELF):
                        admin.ensure_device(code, node, "shelf" if node == SHELF else "kiosk")
                cloud.publish_pricebook(codes)
                if self.bad_update:
                    bad = BadUpdateRun(cloud, broker.url, password, self.data_dir / "bad-update",
                                       codes[0], self.progress)  # fmt: skip
                    bad.prepare(admin)
                spec = self.spec(cloud.url, broker.url, password)
                count = self.workers or -(-self.stores // STORES_PER_WORKER)
                pool = Workers(spec, self.stores, count, self.progress)
                pool.open(timeout=300.0 + 20.0 * self.stores)
                restarts = self._play(broker, pool, bad)
                facts = pool.collect()
                return self._verdict(admin, restarts, spec, facts, bad)
        finally:
            if bad is not None:
                bad.stop()
            if pool is not None:
                pool.close()
            cloud.stop()
            broker.stop()

    def _play(self, broker: OwnBroker, pool: Workers, bad: BadUpdateRun | None) -> int:
        """Start every store's clock at once and wait out the window; the broker restarts
        once, when the stores' faults are over; then wait for every outbox to drain. The bad
        update's rollout starts with the window and is waited for after the drain."""
        window_real = self.minutes * 60.0 / self.speed
        restart = FleetFault(at_s=window_real * 0.85, down_s=min(5.0, window_real / 10))
        timer = threading.Timer(restart.at_s, broker.restart, args=(restart.down_s,))
        timer.daemon = True
        pool.go()
        if bad is not None:
            bad.start()
        timer.start()
        begun = time.monotonic()
        pool.wait(lambda: pool.idle(), window_real * 3 + 120, "window")
        self.progress(f"window: every store idle after {time.monotonic() - begun:.0f} s")
        timer.join()
        pool.fresh()  # every worker's outboxes as they are after the restart
        drained = lambda: pool.reported() and pool.depth() == 0  # noqa: E731
        if not pool.wait(drained, self.drain_s, "drain"):
            self.progress(f"drain: {pool.depth()} event(s) still unacknowledged at the deadline")
        if bad is not None:
            bad.finish(timeout=300.0)
        time.sleep(3)  # the ingest's last batch
        return 1

    def _verdict(
        self,
        admin: CloudApi,
        restarts: int,
        spec: FleetSpec,
        facts: list[StoreFacts],
        bad: BadUpdateRun | None,
    ) -> FleetResult:
        result = FleetResult(self.stores, self.minutes, broker_restarts=restarts)
        dead = admin.dead_letters()
        for index, store in enumerate(sorted(facts, key=lambda f: f.code)):
            code, local = store.code, set(store.sales)
            if bad is not None and code == bad.fault.store:  # and the updated node's sales
                local |= set(bad.ledger())
            faults = fleet_scenario(spec, index).faults
            cloud_ids = [s["sale_id"] for s in admin.sales(code)]
            held = _held_sale_ids(dead, code)
            result.sold += len(local)
            result.applied += len(set(cloud_ids) & local)
            result.duplicates += len(cloud_ids) - len(set(cloud_ids))
            result.held += len(local & held)
            result.missing += sorted(local - set(cloud_ids) - held)
            result.unmatched_charges += [f"{code}/{entry}" for entry in store.unmatched]
            result.voided += store.voided
            alerts = admin.alerts(code)
            for fault, node_facts in zip(faults, store.faults, strict=True):
                result.verdicts.append(judge(code, fault, alerts, held, node_facts))
        if bad is not None:
            result.verdicts.append(judge_update(bad.fault, bad.facts(admin)))
        return result


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
