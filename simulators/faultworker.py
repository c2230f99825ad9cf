"""One worker process of the fault fleet: a slice of its stores' node code, on its own GIL.

The parent (:mod:`simulators.faultfleet`) keeps the broker and the cloud and starts one
worker per slice (``spawn``: no threads inherited). A worker opens its stores (nodes up,
price book in, opening stock booked) and says so; on the parent's ``go`` every store's
simulated clock starts at once; it then reports, every two seconds, whether its stores are
idle and how many events their outboxes hold unacknowledged; on ``collect`` it reads what
its nodes recorded (:class:`StoreFacts`) and sends it; it stops its stores on ``stop``, once
the parent has read the cloud (a node that stops says so, and opens an alert).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path

from simulators.cloudapi import CloudApi
from simulators.faultplan import NodeFacts, store_faults
from simulators.scenario import Scenario, load_scenario
from simulators.simtime import seconds_into_day
from simulators.store import StoreSimulation

log = logging.getLogger(__name__)

START = 10 * 3600.0
"""The simulated day starts at 10:00 in each store's zone, today."""
SKEW_LIMIT_S = 2 * 86_400.0
"""How far ahead the cloud lets node clocks run: the simulated day may start up to a day
from real time (10:00 in the store's zone), plus the run; a skewed clock runs a day more."""
STATUS_EVERY_S = 2.0
RATE = 240
"""Shoppers an hour at each store."""


@dataclass(frozen=True, slots=True)
class FleetSpec:
    """What every worker needs to build its stores (picklable)."""

    minutes: float
    speed: float
    seed: int
    lanes: int
    data_dir: Path
    broker_url: str
    cloud_url: str
    password: str


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """What one store's nodes recorded, read in the worker at verdict time."""

    code: str
    sales: frozenset[str]
    unmatched: tuple[str, ...]
    """Approved terminal charges without a card tender in a recorded sale, or the reverse,
    as ``node:reference``."""
    faults: tuple[NodeFacts, ...]
    """Per fault of the store's scenario, in order: what its node recorded."""
    voided: int = 0
    """Approved charges the kiosk refunded in full as it could not save their sale."""


def fleet_scenario(spec: FleetSpec, index: int) -> Scenario:
    window = spec.minutes * 60.0
    faults = store_faults(
        index,
        seed=spec.seed,
        start=START,
        window=window,
        lanes=spec.lanes,
        skew_s=SKEW_LIMIT_S + 86_400.0,
    )
    base = load_scenario("faults")
    per_hour = dict.fromkeys(range(24), RATE)
    return base.model_copy(
        update={
            "name": f"fleet-{index + 1}",
            "seed": spec.seed * 1000 + index,
            "speed": spec.speed,
            "start": START,
            "end": START + window,
            "shoppers": base.shoppers.model_copy(update={"per_hour": per_hour}),
            "shelf": base.shelf.model_copy(update={"lanes": spec.lanes, "rate_hz": 50.0}),
            "faults": faults,
        }
    )


def serve(spec: FleetSpec, indexes: list[int], conn: Connection) -> None:
    """The worker's main: build, open, wait for ``go``, report, collect, stop."""
    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sims: dict[str, StoreSimulation] = {}
    apis: list[CloudApi] = []
    try:
        for i in indexes:
            code = f"ff-{i + 1:03d}"
            api = CloudApi(spec.cloud_url, "admin", spec.password, timeout=60.0)
            apis.append(api)
            scenario = fleet_scenario(spec, i)
            sims[code] = StoreSimulation(
                scenario, spec.broker_url, spec.data_dir / code, store=code, cloud=api
            )
        lock = threading.Lock()

        def open_one(sim: StoreSimulation) -> datetime:
            begin = sim.open(book_timeout=180.0)  # many stores opening load the machine
            with lock:
                conn.send(("open", sim.store))
            return begin

        with ThreadPoolExecutor(len(sims), thread_name_prefix="fleet-open") as pool:
            begins = dict(zip(sims, pool.map(open_one, sims.values()), strict=True))
        if conn.recv() != ("go",):
            return
        for code, sim in sims.items():
            sim.go(begins[code])
        _report(sims, conn)
    except Exception:
        conn.send(("error", traceback.format_exc()))
    finally:
        for sim in sims.values():
            sim.stop()
        for api in apis:
            api.close()
        conn.close()


def _report(sims: dict[str, StoreSimulation], conn: Connection) -> None:
    while not conn.poll(STATUS_EVERY_S):
        idle = all(s.idle() for s in sims.values())
        depth = sum(s.outbox_depth() for s in sims.values())
        first = next(iter(sims.values()))
        conn.send(("status", idle, depth, f"{first.store} {first.progress()}"))
    if conn.recv() == ("collect",):
        conn.send(("facts", [store_facts(code, sim) for code, sim in sims.items()]))
        with contextlib.suppress(EOFError):
            conn.recv()  # "stop": the nodes stay up until the parent has read the cloud


def store_facts(code: str, sim: StoreSimulation) -> StoreFacts:
    skewed = _skewed(sim)
    facts = []
    for fault in sim.scenario.faults:
        node = getattr(fault, "node", "")
        facts.append(
            NodeFacts(
                _charges(sim, node),
                frozenset(skewed.get(node, set())),
                refused=sim.tally.stats["error_store_error"]
                + sim.tally.stats["error_payment_voided"],
                sales_after=_sales_after(sim, node, fault.at + getattr(fault, "duration", 0)),
            )
        )
    sales = frozenset(s.sale_id for s in sim.local_sales())
    unmatched, voided = _unmatched_charges(sim)
    return StoreFacts(code, sales, tuple(unmatched), tuple(facts), voided)


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


def _unmatched_charges(sim: StoreSimulation) -> tuple[list[str], int]:
    """Per kiosk: the approved charges the shopper is still out of pocket on (the
    terminal's own file: approved and not refunded in full) against the card tenders of
    the sales it recorded, by reference; what is on one side only, as ``node:reference``.
    Also how many approved charges the kiosk refunded in full because it could not save
    the sale (kiosk/shell/payment.py: never a tender of a recorded sale)."""
    out: list[str] = []
    voided = 0
    for name, kiosk in sim.kiosks.items():
        path = sim.data_dir / name / "terminal.sqlite3"
        if kiosk.node is None or not path.exists():
            continue
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("SELECT reference, amount FROM charges WHERE status = 'approved'")
            approved = {str(r): Decimal(a) for r, a in rows}
            back: dict[str, Decimal] = {}
            for original, amount in conn.execute("SELECT original, amount FROM refunds"):
                back[original] = back.get(original, Decimal(0)) + Decimal(amount)  # exact
        charged = {r for r, a in approved.items() if back.get(r, Decimal(0)) < a}
        refunded = set(approved) - charged
        sales = kiosk.node.parts.session.store.open_sales()[0]
        tendered = {t.reference for s in sales for t in s.tenders if t.method == "card"}
        out += [f"{name}:{ref}" for ref in sorted(charged ^ tendered)]
        voided += len(refunded - tendered)
    return out, voided
