"""Releases, rings and staged rollouts: what the CLI, the API, the console and ingest call.

A rollout sends ``cmd/update`` to its targets (``due_orders``, sent by the driver in
``cloud.updates.driver``); nodes report in their retained state (``record_report`` from
ingest). Each report re-tallies the rollout: a ring whose failures pass the threshold halts
it, and nothing more is sent until someone resumes, aborts or rolls back. Nodes that failed
have already gone back by themselves (edge.updates); the cloud only stops the spread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cloud.devices import service as devices
from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.stores import service as stores
from cloud.updates import repository
from cloud.updates.exceptions import RolloutStateError
from cloud.updates.models import FINISHED, RINGS, NodeRing, Release, Rollout, RolloutTarget
from cloud.updates.rings import halt_reason, in_ring, pick, tally
from contracts.bundles import Manifest

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.devices.models import Device
    from contracts.messages import UpdateReport

log = logging.getLogger(__name__)

RESEND_AFTER = timedelta(minutes=10)
ALLOWED = {
    "pause": ("running",),
    "resume": ("paused", "halted"),
    "abort": ("running", "paused", "halted"),
}


@dataclass(frozen=True)
class Order:
    """One ``cmd/update`` to send: the node and the command's arguments (less the URL base)."""

    store: str
    node: str
    version: str
    sha256: str
    size: int
    rollout: int


# releases --------------------------------------------------------------------------------


def publish_release(
    session: Session, manifest: Manifest, *, sha256: str, size: int, by: str, now: datetime
) -> Release:
    if repository.release_by_version(session, manifest.version) is not None:
        raise ValidationFailedError(f"version {manifest.version} is already published")
    release = Release(
        version=manifest.version,
        node_kinds=",".join(manifest.node_kinds),
        min_version=manifest.min_version,
        sha256=sha256,
        size=size,
        published_at=now,
        published_by=by,
    )
    session.add(release)
    session.flush()
    return release


def list_releases(session: Session) -> Sequence[Release]:
    return repository.releases(session)


def get_release(session: Session, version: str) -> Release:
    release = repository.release_by_version(session, version)
    if release is None:
        raise NotFoundError(f"version {version} is not published")
    return release


# rings -----------------------------------------------------------------------------------


def set_ring(session: Session, store: str, node: str, ring: str) -> None:
    if ring not in RINGS:
        raise ValidationFailedError(f"ring must be one of {list(RINGS)}")
    device = devices.get_device(session, store, node)
    row = repository.ring_row(session, device.id)
    if row is None:
        session.add(NodeRing(device_id=device.id, ring=ring))
    else:
        row.ring = ring
    session.flush()


# rollouts --------------------------------------------------------------------------------


def start_rollout(
    session: Session,
    version: str,
    *,
    ring: str,
    percent: int,
    threshold: int,
    by: str,
    now: datetime,
) -> Rollout:
    """Start a rollout of ``version``, or widen its running one to ``ring`` at ``percent``."""
    if ring not in RINGS or not 1 <= percent <= 100 or not 0 <= threshold <= 100:
        raise ValidationFailedError("ring canary|store|all, percent 1–100, threshold 0–100")
    release = get_release(session, version)
    rollout = _active_for(session, release)
    if rollout is None:
        rollout = Rollout(
            release_id=release.id,
            ring=ring,
            percent=percent,
            failure_threshold=threshold,
            created_at=now,
            updated_at=now,
            created_by=by,
        )
        session.add(rollout)
        session.flush()
    elif rollout.status != "running":
        raise RolloutStateError(f"rollout {rollout.id} is {rollout.status}; resume it first")
    rollout.ring, rollout.percent, rollout.updated_at = ring, percent, now
    rollout.failure_threshold = threshold
    _add_targets(session, rollout, release, now)
    return rollout


def _active_for(session: Session, release: Release) -> Rollout | None:
    active = repository.active_rollouts(session)
    for rollout in active:
        if rollout.release_id != release.id:
            other = repository.release(session, rollout.release_id).version
            raise RolloutStateError(
                f"rollout {rollout.id} of {other} is {rollout.status}; abort it first"
            )
    return active[0] if active else None


def _add_targets(session: Session, rollout: Rollout, release: Release, now: datetime) -> int:
    kinds = release.node_kinds.split(",")
    ring_of = repository.rings(session)
    codes = stores.codes(session)
    by_key: dict[tuple[str, str], Device] = {}
    for device in devices.every_device(session):
        node_ring = ring_of.get(device.id, "all")
        if device.kind in kinds and in_ring(node_ring, rollout.ring):
            by_key[(codes[device.store_id], device.node)] = device
    have = {t.device_id for t in repository.targets(session, rollout.id)}
    added = 0
    for key in pick(list(by_key), rollout.percent):
        device = by_key[key]
        if device.id in have:
            continue
        done = device.software_version == release.version
        session.add(
            RolloutTarget(
                rollout_id=rollout.id,
                device_id=device.id,
                ring=ring_of.get(device.id, "all"),
                from_version=device.software_version,
                status="ok" if done else "pending",
                reason="already on this version" if done else None,
                updated_at=now,
            )
        )
        added += 1
    session.flush()
    return added


def get_rollout(session: Session, rollout_id: int) -> Rollout:
    rollout = repository.rollout(session, rollout_id)
    if rollout is None:
        raise NotFoundError(f"rollout {rollout_id} not found")
    return rollout


def change_rollout(session: Session, rollout_id: int, action: str, now: datetime) -> Rollout:
    """``pause``, ``resume`` or ``abort``."""
    rollout = get_rollout(session, rollout_id)
    if rollout.status not in ALLOWED[action]:
        raise RolloutStateError(f"cannot {action} a rollout that is {rollout.status}")
    rollout.status = {"pause": "paused", "resume": "running", "abort": "aborted"}[action]
    if action == "resume":
        rollout.halt_reason = None
    rollout.updated_at = now
    session.flush()
    return rollout


def roll_back(session: Session, rollout_id: int, *, by: str, now: datetime) -> Rollout:
    """Abort the rollout and send every node it reached back to the version it came from."""
    rollout = get_rollout(session, rollout_id)
    if rollout.status in ("running", "paused", "halted"):
        rollout.status = "aborted"
    reached = [
        t
        for t in repository.targets(session, rollout.id)
        if t.status not in ("pending", "failed", "rolled_back") and t.from_version
    ]
    versions = {t.from_version for t in reached}
    if len(versions) != 1:
        raise RolloutStateError(f"nodes came from {sorted(map(str, versions))}; need exactly one")
    back = get_release(session, str(versions.pop()))
    new = Rollout(
        release_id=back.id,
        ring="all",
        percent=100,
        failure_threshold=rollout.failure_threshold,
        created_at=now,
        updated_at=now,
        created_by=by,
    )
    session.add(new)
    session.flush()
    for t in reached:
        session.add(
            RolloutTarget(
                rollout_id=new.id,
                device_id=t.device_id,
                ring=t.ring,
                status="pending",
                from_version=None,
                updated_at=now,
            )
        )
    session.flush()
    return new


# orders and reports ----------------------------------------------------------------------


def due_orders(
    session: Session, now: datetime, resend_after: timedelta = RESEND_AFTER
) -> list[Order]:
    """The commands to send now (marked ``sent``); a silent node is asked again later."""
    orders: list[Order] = []
    for rollout in repository.active_rollouts(session):
        if rollout.status != "running":
            continue
        release = repository.release(session, rollout.release_id)
        for target in repository.due_targets(session, rollout.id, now - resend_after):
            device = devices.device_by_id(session, target.device_id)
            store = stores.codes(session, [device.store_id])[device.store_id]
            target.status, target.updated_at = "sent", now
            orders.append(
                Order(store, device.node, release.version, release.sha256, release.size, rollout.id)
            )
    session.flush()
    return orders


def record_report(session: Session, device: Device, report: UpdateReport, now: datetime) -> None:
    """A node's update report (from its retained state) moves its target and re-tallies."""
    if report.rollout is None or not report.rollout.isdigit():
        return
    target = repository.target(session, int(report.rollout), device.id)
    if target is None or target.status == report.status or target.status in FINISHED:
        return
    target.status, target.reason, target.updated_at = report.status, report.reason, now
    rollout = get_rollout(session, target.rollout_id)
    _retally(session, rollout, now)


def record_refusal(
    session: Session, rollout_id: int, store: str, node: str, reason: str, now: datetime
) -> None:
    """The node answered ``cmd/update`` with an error: that target failed."""
    device = devices.get_device(session, store, node)
    target = repository.target(session, rollout_id, device.id)
    if target is None or target.status in FINISHED:
        return
    target.status, target.reason, target.updated_at = "failed", reason[:500], now
    _retally(session, get_rollout(session, rollout_id), now)


def _retally(session: Session, rollout: Rollout, now: datetime) -> None:
    rows = [(t.ring, t.status) for t in repository.targets(session, rollout.id)]
    reason = halt_reason(tally(rows), rollout.failure_threshold)
    if reason is not None and rollout.status == "running":
        rollout.status, rollout.halt_reason, rollout.updated_at = "halted", reason, now
        log.error("rollout %s halted: %s", rollout.id, reason)
    elif (
        rollout.status == "running"
        and rollout.ring == "all"
        and rollout.percent == 100
        and all(status in FINISHED for _, status in rows)
    ):
        rollout.status, rollout.updated_at = "done", now
    session.flush()


def progress(session: Session, rollout: Rollout) -> dict[str, Any]:
    """Counts per ring and status, and each failure with its node and reason."""
    targets = repository.targets(session, rollout.id)
    rows = [(t.ring, t.status) for t in targets]
    failures = []
    for t in targets:
        if t.status in ("failed", "rolled_back"):
            device = devices.device_by_id(session, t.device_id)
            store = stores.codes(session, [device.store_id])[device.store_id]
            failures.append(
                {"store": store, "node": device.node, "status": t.status, "reason": t.reason}
            )
    statuses: dict[str, int] = {}
    for _, status in rows:
        statuses[status] = statuses.get(status, 0) + 1
    return {"rings": tally(rows), "statuses": statuses, "failures": failures}


def list_rollouts(session: Session) -> Sequence[Rollout]:
    return repository.rollouts(session)


def release_version(session: Session, rollout: Rollout) -> str:
    return repository.release(session, rollout.release_id).version


@dataclass(frozen=True)
class NodeVersion:
    """A node on the console's update page: its version and its part in the latest rollout."""

    store: str
    node: str
    kind: str
    ring: str
    version: str | None
    online: bool
    status: str | None
    reason: str | None


def node_versions(session: Session, rollout: Rollout | None) -> list[NodeVersion]:
    rings = repository.rings(session)
    codes = stores.codes(session)
    targets = {t.device_id: t for t in repository.targets(session, rollout.id)} if rollout else {}
    rows = []
    for d in devices.every_device(session):
        t = targets.get(d.id)
        rows.append(
            NodeVersion(
                codes[d.store_id],
                d.node,
                d.kind,
                rings.get(d.id, "all"),
                d.software_version,
                d.online,
                t.status if t else None,
                t.reason if t else None,
            )
        )
    return sorted(rows, key=lambda r: (r.store, r.node))
