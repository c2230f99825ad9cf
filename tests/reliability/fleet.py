"""The soak driver: a fleet of node processes, two ingest worker processes, faults on a schedule.

Everything is real: a private Mosquitto (persistence on, so a *planned* restart keeps the
ingest sessions), a fresh PostgreSQL database, ``smartstore cloud ingest`` workers sharing the
subscription with persistent sessions, and store processes (tests/reliability/node.py) built on
the real edge outbox and link, connected through a TCP relay (simulators.uplink) that a
network-drop fault cuts. At the end the nodes stop emitting, the fleet drains, and
:mod:`tests.reliability.invariants` compares every node's own database with the cloud's.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.devices import service as devices
from cloud.ingest.models import ProcessedEvent
from cloud.inventory import service as inventory
from cloud.members import service as members
from cloud.products import repository as product_repo
from cloud.products import service as products
from cloud.stores import service as stores
from simulators.uplink import Uplink
from tests.reliability import faults
from tests.reliability.invariants import NodeLedger, Verdict, check_all
from tests.reliability.node import GTINS, MEMBER_PHONES
from tests.support.services import MosquittoProcess, mosquitto, postgres_database

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
NODES = ("kiosk-1", "shelf-1")
FAULTS = ("broker_restart", "pg_kill", "worker_kill", "node_kill", "network_drop", "malformed")


@dataclass
class SoakConfig:
    stores: int = 4
    seconds: float = 60.0
    rate: float = 4.0
    fault_every_s: float = 7.0
    drain_timeout_s: float = 180.0
    seed: int = 1


@dataclass
class SoakReport:
    config: SoakConfig
    verdict: Verdict
    faults: Counter[str] = field(default_factory=Counter)
    malformed: int = 0
    receipts: int = 0
    run_s: float = 0.0
    drain_s: float = 0.0

    def summary(self) -> str:
        v = self.verdict
        faults = ", ".join(f"{k} ×{n}" for k, n in sorted(self.faults.items()))
        lines = [
            f"stores={self.config.stores} nodes={self.config.stores * len(NODES)}"
            f" run={self.run_s:.0f}s drain={self.drain_s:.1f}s",
            f"events={v.events} sales={v.sales} receipts={self.receipts}"
            f" malformed injected={self.malformed}",
            f"faults: {faults}",
            f"losses={v.losses} duplicates={v.duplicates} violations={len(v.violations)}",
        ]
        lines += [f"  VIOLATION {x}" for x in v.violations]
        return "\n".join(lines)


class Fleet:
    """Owns every process of the soak; ``run`` returns the report."""

    def __init__(self, config: SoakConfig, workdir: Path, broker: MosquittoProcess, db_url: str):
        self.cfg = config
        self.dir = workdir
        self.broker = broker
        self.db_url = db_url
        self.rng = random.Random(config.seed)
        self.codes = [f"s{i:02d}" for i in range(1, config.stores + 1)]
        self.uplink = Uplink(broker.host, broker.port)
        self.workers: dict[int, subprocess.Popen[bytes]] = {}
        self.nodes: dict[str, subprocess.Popen[bytes]] = {}
        self.receipts: Counter[tuple[str, str]] = Counter()
        self.malformed: set[bytes] = set()
        self.faults: Counter[str] = Counter()
        self.engine: Engine = make_engine(db_url)
        self.factory: sessionmaker[Session] = make_sessionmaker(self.engine)

    # set-up ----------------------------------------------------------------------------------

    def seed_cloud(self) -> None:
        load_models().create_all(self.engine)
        with transaction(self.factory) as s:
            products.ensure_tax_class(s, "std", Decimal("0.13"), "Standard")
            for i, gtin in enumerate(GTINS):
                products.create_product(
                    s, sku=f"SKU-{i}", name=f"Item {i}", price=Decimal("3.50") + i, gtins=[gtin]
                )
            for phone in MEMBER_PHONES:
                members.create_member(s, phone=phone, name="Soak")
            for code in self.codes:
                stores.create_store(s, code, f"Soak {code}")
                devices.register_device(s, code, "kiosk-1", "kiosk")
                devices.register_device(s, code, "shelf-1", "shelf")

    def start(self) -> None:
        self.uplink.start()
        for i in (1, 2):
            self.start_worker(i)
        # Nodes publish only once the ingest sessions exist: before that the broker answers
        # "no matching subscribers" (a success for the node), as on a fresh deployment.
        for i in (1, 2):
            self.wait_worker(i, connections=1)
        for code in self.codes:
            self.start_node(code)

    def start_worker(self, i: int) -> None:
        env = {
            **os.environ,
            "SMARTSTORE_DATABASE_URL": self.db_url,
            "SMARTSTORE_MQTT_URL": self.broker.url,
            "SMARTSTORE_MQTT_CLIENT_ID": f"soak-ingest-{i}",
            "SMARTSTORE_DEVICE_TIMEOUT_S": "3600",
        }
        err = (self.dir / f"worker-{i}.log").open("ab")
        self.workers[i] = subprocess.Popen(
            [sys.executable, "-m", "smartstore", "cloud", "ingest"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )

    def wait_worker(self, i: int, connections: int, timeout: float = 60.0) -> None:
        log_file = self.dir / f"worker-{i}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log_file.read_text(errors="replace").count("ingest connected") >= connections:
                return
            time.sleep(0.1)
        raise RuntimeError(f"ingest worker {i} did not connect in {timeout:.0f}s")

    def start_node(self, code: str) -> None:
        err = (self.dir / f"{code}.log").open("ab")
        self.nodes[code] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.node",
                "--dir",
                str(self.dir / code),
                "--url",
                self.uplink.url,
                "--store",
                code,
                "--rate",
                str(self.cfg.rate),
                "--seed",
                str(self.rng.randrange(1 << 30)),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )

    # faults ----------------------------------------------------------------------------------

    def inject(self, fault: str) -> None:
        log.warning("fault: %s", fault)
        self.faults[fault] += 1
        if fault == "broker_restart":
            self.broker.restart()  # SIGTERM: Mosquitto saves sessions, then comes back
        elif fault == "pg_kill":
            self.kill_pg_connections()
        elif fault == "worker_kill":
            i = self.rng.choice(sorted(self.workers))
            self.workers[i].send_signal(signal.SIGKILL)
            self.workers[i].wait(10)
            time.sleep(self.rng.uniform(0.2, 2.0))
            self.start_worker(i)
        elif fault == "node_kill":
            code = self.rng.choice(self.codes)
            self.nodes[code].send_signal(signal.SIGKILL)
            self.nodes[code].wait(10)
            time.sleep(self.rng.uniform(0.1, 1.5))
            self.start_node(code)
        elif fault == "network_drop":
            self.uplink.down()
            time.sleep(self.rng.uniform(1.0, 4.0))
            self.uplink.up()
        elif fault == "malformed":
            self.publish_malformed()

    def kill_pg_connections(self) -> int:
        """pg_terminate_backend of every other connection to the soak database (workers')."""
        killed = faults.terminate_other_connections(self.db_url)
        self.engine.dispose()
        return killed

    def publish_malformed(self) -> None:
        """Messages the cloud must keep as dead letters: bad JSON, spoofed, rogue, not UTF-8."""
        bad = faults.malformed_messages(self.rng, self.codes)
        faults.publish(self.broker.host, self.broker.port, bad)
        self.malformed.update(payload for _, payload in bad)

    def receive_stock(self) -> None:
        """A goods receipt through the cloud's inventory service (the ledger's other side)."""
        code, gtin = self.rng.choice(self.codes), self.rng.choice(GTINS)
        qty = Decimal(self.rng.randint(5, 20))
        for _ in range(5):
            try:
                with transaction(self.factory) as s:
                    store = stores.get_store(s, code)
                    product = product_repo.by_barcode(s, gtin)
                    assert product is not None
                    inventory.move(
                        s,
                        store_id=store.id,
                        product_id=product.id,
                        kind="receiving",
                        qty=qty,
                        now=datetime.now(UTC),
                        reference=f"soak-{uuid.uuid4().hex[:8]}",
                    )
                self.receipts[(code, gtin)] += qty  # type: ignore[assignment]
                return
            except Exception as exc:
                log.info("receipt retried: %s", exc)
                time.sleep(0.2)

    # the run ---------------------------------------------------------------------------------

    def run(self, progress: Callable[[str], None] = log.info) -> SoakReport:
        self.seed_cloud()
        self.start()
        t0 = time.monotonic()
        schedule = list(FAULTS)
        self.rng.shuffle(schedule)
        i = 0
        next_fault = t0 + self.cfg.fault_every_s
        while time.monotonic() - t0 < self.cfg.seconds:
            if time.monotonic() >= next_fault:
                fault = schedule[i % len(schedule)]
                i += 1
                if i % len(schedule) == 0:
                    self.rng.shuffle(schedule)
                self.inject(fault)
                self.receive_stock()
                next_fault = time.monotonic() + self.cfg.fault_every_s
                progress(
                    f"t={time.monotonic() - t0:5.0f}s fault {fault}; {self.processed()} applied"
                )
            time.sleep(0.2)
        run_s = time.monotonic() - t0
        drain_s = self.drain()
        verdict = self.check()
        return SoakReport(
            self.cfg,
            verdict,
            self.faults,
            len(self.malformed),
            sum(1 for _ in self.receipts),
            run_s,
            drain_s,
        )

    def processed(self) -> int:
        try:
            with self.factory() as s:
                return int(s.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)
        except Exception:
            return -1

    def ledgers(self) -> list[NodeLedger]:
        return [
            NodeLedger.read(self.dir / code / f"{node}.sqlite3", code, node)
            for code in self.codes
            for node in NODES
        ]

    def drain(self) -> float:
        """Stop emitting (SIGUSR1), wait until every node is drained and every event applied."""
        for proc in self.nodes.values():
            proc.send_signal(signal.SIGUSR1)
        t0 = time.monotonic()
        time.sleep(0.5)  # an emit in progress finishes
        deadline = t0 + self.cfg.drain_timeout_s
        while time.monotonic() < deadline:
            leds = self.ledgers()
            emitted = sum(len(x.seqs) for x in leds)
            if all(x.unsent == 0 for x in leds) and self.processed() >= emitted:
                break
            time.sleep(0.5)
        else:
            log.error("fleet not drained in %.0fs", self.cfg.drain_timeout_s)
        self.stop_processes()
        return time.monotonic() - t0

    def stop_processes(self) -> None:
        for proc in [*self.nodes.values(), *self.workers.values()]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.nodes.values(), *self.workers.values()]:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def check(self) -> Verdict:
        with self.factory() as s:
            receipts = {k: Decimal(v) for k, v in self.receipts.items()}
            return check_all(s, self.ledgers(), receipts, self.malformed)

    def close(self) -> None:
        self.stop_processes()
        self.uplink.stop()
        self.engine.dispose()


@contextmanager
def fleet(config: SoakConfig, workdir: Path) -> Iterator[Fleet]:
    """A private broker (persistence on) and database, torn down whatever happens."""
    workdir.mkdir(parents=True, exist_ok=True)
    persist = workdir / "mosquitto-data"
    persist.mkdir(exist_ok=True)
    persist.chmod(0o777)  # Mosquitto drops root privileges to its own user before saving
    with ExitStack() as stack:
        broker = stack.enter_context(
            mosquitto(workdir, f"persistence true\npersistence_location {persist}/\n")
        )
        url = stack.enter_context(postgres_database("smartstore_soak"))
        f = Fleet(config, workdir, broker, url)
        stack.callback(f.close)
        yield f


def run_soak(
    config: SoakConfig, workdir: Path, progress: Callable[[str], None] = log.info
) -> SoakReport:
    with fleet(config, workdir) as f:
        return f.run(progress)
