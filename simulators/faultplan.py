"""Which fault each store of a fault-injected fleet gets, and what the cloud should show.

Pure: a plan from a seed, and a verdict per fault from what the cloud holds afterwards
(alerts, dead letters) and what the nodes did (the stores' fault notes). Each store gets two
faults of different kinds, rotating through :data:`KINDS` so every kind is played once the
fleet has four stores or more; times and targets are drawn from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from simulators.scenario import (
    BrokerOutage,
    ClockSkew,
    DiskFull,
    Fault,
    NodeCrash,
    PrinterPaperOut,
    SensorStuck,
)

KINDS = (
    "broker_outage",
    "node_crash",
    "sensor_stuck",
    "printer_paper_out",
    "payment_timeout",
    "clock_skew",
    "disk_full",
)
"""Store-level faults; a whole-broker restart is fleet-level (:class:`FleetFault`)."""
KIOSK_NODES = ("kiosk-1", "kiosk-2")
_FAULT: TypeAdapter[Fault] = TypeAdapter(Fault)


@dataclass(frozen=True, slots=True)
class FleetFault:
    """The broker itself restarts: every store's nodes and the ingest lose it at once."""

    at_s: float
    down_s: float
    kind: str = "broker_restart"


def hhmm(seconds: float) -> str:
    minutes = int(seconds // 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def store_faults(
    index: int, *, seed: int, start: float, window: float, lanes: int, skew_s: float
) -> list[Fault]:
    """Two faults for store ``index`` (0-based), each starting in the first half of the
    window and lasting at most a quarter of it, so each has time to be detected and to
    clear before the broker's own restart (at 85 %) and the drain."""
    rng = random.Random(f"{seed}/{index}")
    minutes = max(1, int(window * 0.5 // 60))
    out: list[Fault] = []
    for k in (0, 1):
        kind = KINDS[(2 * index + k) % len(KINDS)]
        spec: dict[str, Any] = {"kind": kind, "at": hhmm(start + 60 * (1 + rng.randrange(minutes)))}
        span = max(60.0, window * rng.uniform(0.1, 0.25))
        kiosk = rng.choice(KIOSK_NODES)
        if kind in ("broker_outage", "sensor_stuck", "printer_paper_out"):
            spec["duration"] = span
        if kind in ("printer_paper_out", "payment_timeout", "clock_skew", "disk_full"):
            spec["node"] = kiosk
        if kind == "disk_full":
            spec["duration"] = span
        if kind == "node_crash":
            spec |= {"node": rng.choice([*KIOSK_NODES, "shelf-1"]), "down_for": span}
        elif kind == "sensor_stuck":
            spec["lane"] = f"l{rng.randint(1, lanes)}"
        elif kind == "payment_timeout":
            spec["count"] = 2
        elif kind == "clock_skew":  # long enough for the kiosk to sell a few times
            spec |= {"offset": skew_s, "duration": max(120.0, span)}
        out.append(_FAULT.validate_python(spec))
    return out


def target(fault: Fault | FleetFault) -> str:
    for name in ("node", "lane"):
        value = getattr(fault, name, None)
        if value is not None:
            return f"shelf-1/lane:{value}" if name == "lane" else str(value)
    return "all nodes" if isinstance(fault, FleetFault) else "store uplink"


@dataclass(frozen=True, slots=True)
class Verdict:
    store: str
    kind: str
    target: str
    detected: str
    """How the fault showed: the alerts or dead letters the cloud holds, or the kiosk's
    own settlement; what was expected and not seen is named."""
    outcome: str
    ok: bool


def fault_count(fault: Fault) -> int:
    return int(getattr(fault, "count", 1))


def expected_alerts(fault: Fault) -> set[tuple[str, str]]:
    """(alert type, source) pairs the cloud should open for ``fault``; empty when the fault
    is handled on the node without an alert by design (payment timeouts, clock skew)."""
    if isinstance(fault, BrokerOutage):
        return {("device_offline", n) for n in (*KIOSK_NODES, "shelf-1")}
    if isinstance(fault, NodeCrash):
        return {("device_offline", fault.node)}
    if isinstance(fault, SensorStuck):
        return {("device_fault", f"shelf-1/lane:{fault.lane}")}
    if isinstance(fault, PrinterPaperOut):
        return {("device_fault", f"{fault.node}/printer")}
    if isinstance(fault, DiskFull):  # its retained state says so: no disk write needed
        return {("device_fault", f"{fault.node}/storage")}
    return set()


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the fault's node itself recorded: its terminal's charges by status, and the
    sales it stamped beyond the cloud's skew limit (ids)."""

    charges: dict[str, int] = field(default_factory=dict)
    skewed_sales: frozenset[str] = frozenset()
    refused: int = 0
    """Checkout steps the store's kiosks refused because they could not save (store_error)."""
    sales_after: int = 0
    """Sales the node completed after the fault ended (it recovered by itself)."""


def judge(
    store: str,
    fault: Fault,
    alerts: Sequence[dict[str, Any]],
    held: set[str],
    facts: NodeFacts,
) -> Verdict:
    """One fault's verdict from the store's alerts (REST shape), the sale ids the cloud
    holds as dead letters "in the future", and what the node recorded."""
    seen = {(a["type"], a["source"]) for a in alerts}
    want = expected_alerts(fault)
    tgt = target(fault)
    if want:
        found = sorted(want & seen)
        raised = [a for a in alerts if (a["type"], a["source"]) in want]
        cleared = [a for a in raised if a.get("resolved_at")]
        detected = ", ".join(f"{t} {s}" for t, s in found)
        if len(found) < len(want):
            missing = ", ".join(f"{t} {s}" for t, s in sorted(want - seen))
            detected = f"{detected}; not raised: {missing}".strip("; ")
        outcome = f"{len(cleared)} of {len(raised)} alert(s) cleared after"
        ok = len(found) == len(want) and len(cleared) == len(raised)
        if isinstance(fault, DiskFull):  # and the kiosk sold again once there was room
            detected += f"; kiosk: {facts.refused} checkout step(s) refused, cannot save"
            outcome += f"; {facts.sales_after} sale(s) after, none lost"
            # No write needed a page while it lasted: nothing for the node to notice (said so).
            idle = facts.refused == 0 and not raised
            detected += "; not exercised: no write needed room" if idle else ""
            ok = (ok or idle) and facts.sales_after > 0
        return Verdict(store, fault.kind, tgt, detected, outcome, ok)
    if isinstance(fault, ClockSkew):
        skewed = facts.skewed_sales
        detected = f"{len(skewed & held)} of {len(skewed)} skewed sale(s) held: in the future"
        outcome = "kept as dead letters for replay, none applied"
        return Verdict(store, fault.kind, tgt, detected, outcome, skewed <= held)
    # a payment timeout: the kiosk settles it with the terminal, no alert by design
    settled = facts.charges.get("lost", 0) + facts.charges.get("cancelled", 0)
    detected = f"kiosk: {settled} timed-out charge(s) settled as lost/cancelled"
    outcome = "shopper paid again; nothing charged twice"
    return Verdict(store, fault.kind, tgt, detected, outcome, settled >= fault_count(fault))


@dataclass(frozen=True, slots=True)
class BadUpdate:
    """A bad update: one node gets a signed bundle of a broken version through the real
    update path (rollout, download, A/B install, switch, self-test) and must fail its
    self-test, switch back to ``good`` by itself, and halt the rollout at its ring."""

    store: str
    node: str
    good: str
    bad: str
    ring: str = "canary"
    kind: str = "bad_update"


@dataclass(frozen=True, slots=True)
class UpdateFacts:
    """What the cloud's REST API showed of the bad update's rollout and node, and what the
    node itself recorded (its version directories, its starts, its sales ledger)."""

    rollout: str
    halt_reason: str | None
    statuses: dict[str, int]
    reasons: tuple[str, ...]
    """The failure reasons the node reported for the rollout."""
    reported: str | None
    """The node's software version as the cloud last heard it."""
    current: str | None
    starts: tuple[str, ...]
    sold: int
    sold_by_bad: int
    applied: int
    """Of the node's sales, how many the cloud applied."""
    duplicates: int
    error: str = ""


def judge_update(fault: BadUpdate, f: UpdateFacts) -> Verdict:
    halted = f.rollout == "halted" and (f.halt_reason or "").startswith(f"ring {fault.ring}: ")
    failed = bool(f.reasons) and all(r.startswith("self-test failed") for r in f.reasons)
    detected = f"rollout {f.rollout}: {f.halt_reason or '-'}; node reported " + (
        "; ".join(sorted(set(f.reasons))) or "nothing"
    )
    back = (
        f.current == fault.good
        and f.reported == fault.good
        and list(f.starts[-2:]) == [fault.bad, fault.good]
        and f.statuses == {"rolled_back": 1}
    )
    outcome = (
        f"ran {'>'.join(f.starts)}, back on {f.current} (cloud: {f.reported}); sales {f.sold}"
        f" ({f.sold_by_bad} by {fault.bad}), applied {f.applied}, twice {f.duplicates}"
    )
    if f.error:
        outcome += f"; {f.error}"
    sales_ok = f.sold > 0 and f.applied == f.sold and f.duplicates == 0
    ok = halted and failed and back and sales_ok and not f.error
    return Verdict(fault.store, fault.kind, fault.node, detected, outcome, ok)
