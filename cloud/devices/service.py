"""Device registry and online state.

State messages arrive out of order (a late will from an old session after the new
session's "online"), so a state whose ``boot`` is older than the stored one is ignored.
Silence longer than the inactivity timeout also means offline; either way offline opens
a ``device_offline`` alert and coming back online clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.devices import repository
from cloud.devices.models import Device
from cloud.exceptions import ConflictError, NotFoundError
from cloud.stores import service as stores
from contracts import state as state_rules
from contracts.messages import NodeState

log = logging.getLogger(__name__)
OFFLINE_ALERT = "device_offline"
FAULT_ALERT = "device_fault"
STORAGE_SOURCE = "storage"
DEVICE_KINDS = ("kiosk", "shelf", "other")


def is_newer_state(device: Device, incoming: NodeState) -> bool:
    """contracts.state's rule: a state from an older boot than the stored one is ignored."""
    current = NodeState(online=device.online, boot=device.boot)
    return state_rules.is_newer_state(current, incoming)


def register_device(
    session: Session, store: str, node: str, kind: str = "kiosk", name: str = ""
) -> Device:
    from contracts.topics import validate_id

    validate_id(node, "node")
    if kind not in DEVICE_KINDS:
        raise ValueError(f"device kind must be one of {DEVICE_KINDS}")
    store_row = stores.get_store(session, store)
    if repository.by_store_node(session, store, node) is not None:
        raise ConflictError(f"device {store}/{node} already exists")
    device = Device(store_id=store_row.id, node=node, kind=kind, name=name or node)
    session.add(device)
    session.flush()
    return device


def get_device(session: Session, store: str, node: str) -> Device:
    device = repository.by_store_node(session, store, node)
    if device is None:
        raise NotFoundError(f"device {store}/{node} not found")
    return device


def list_devices(session: Session, store: str) -> Sequence[Device]:
    return repository.for_store(session, store)


def apply_state(session: Session, device: Device, state: NodeState, now: datetime) -> bool:
    """Apply a retained state message; False when it was stale (older boot) and ignored."""
    if not is_newer_state(device, state):
        log.info("ignored stale state of %s (boot %s < %s)", device.node, state.boot, device.boot)
        return False
    if state.boot == device.boot and not state.online and not device.online:
        return True
    device.boot = state.boot
    for attr in ("software_version", "config_version", "outbox_depth"):
        value = getattr(state, attr)
        if value is not None:
            setattr(device, attr, value)
    if state.kind in DEVICE_KINDS:
        device.kind = state.kind
    if state.online:
        device.last_seen = now
    _set_online(session, device, state.online, now, reason="state message")
    if state.storage_full is not None:
        _set_storage(session, device, state.storage_full, now)
    return True


def _set_storage(session: Session, device: Device, full: bool, now: datetime) -> None:
    """The node's outbox disk is full (it refuses what it cannot save) or has room again:
    a ``device_fault`` on ``<node>/storage``, raised once, cleared when a state says room."""
    source = f"{device.node}/{STORAGE_SOURCE}"
    if not full:
        alerts.clear_alert(
            session, store_id=device.store_id, source=source, alert_type=FAULT_ALERT, now=now
        )
    elif not alerts.open_at_source(session, device.store_id, source, [FAULT_ALERT]):
        alerts.open_alert(
            session,
            store_id=device.store_id,
            source=source,
            alert_type=FAULT_ALERT,
            now=now,
            severity="major",
            message=f"{device.node}: outbox storage full, it cannot save (sales refused)",
        )


def _set_online(session: Session, device: Device, online: bool, now: datetime, reason: str) -> None:
    was = device.online
    device.online = online
    if was != online:
        device.state_changed_at = now
    source = device.node
    if online:
        alerts.clear_alert(
            session, store_id=device.store_id, source=source, alert_type=OFFLINE_ALERT, now=now
        )
    elif was or reason != "state message":
        alerts.open_alert(
            session,
            store_id=device.store_id,
            source=source,
            alert_type=OFFLINE_ALERT,
            now=now,
            severity="major",
            message=f"{device.node} offline ({reason})",
        )
    session.flush()


def touch(session: Session, device_ids: Iterable[int], now: datetime) -> None:
    """Record traffic from devices; one that the sweep had marked offline comes back online."""
    ids = sorted(set(device_ids))
    if not ids:
        return
    for device in session.scalars(
        select(Device).where(Device.id.in_(ids), Device.online.is_(False))
    ):
        device.last_seen = now
        _set_online(session, device, True, now, reason="traffic")
    session.execute(
        update(Device)
        .where(Device.id.in_(ids))
        .where((Device.last_seen.is_(None)) | (Device.last_seen < now))
        .values(last_seen=now)
    )


def sweep_offline(session: Session, now: datetime, timeout_s: float) -> list[Device]:
    """Mark online devices silent for longer than ``timeout_s`` offline (opens alerts)."""
    cutoff = now - timedelta(seconds=timeout_s)
    stale = session.scalars(
        select(Device).where(
            Device.online.is_(True), (Device.last_seen.is_(None)) | (Device.last_seen < cutoff)
        )
    ).all()
    for device in stale:
        _set_online(session, device, False, now, reason=f"silent for more than {timeout_s:g}s")
    return list(stale)


def registry(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """(store code, node) → (store id, device id) of every device, for ingest's cache."""
    return repository.registry(session)


def device_by_id(session: Session, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFoundError(f"device {device_id} not found")
    return device


def find_device(session: Session, store: str, node: str) -> Device | None:
    """The device, or None (``get_device`` raises instead)."""
    return repository.by_store_node(session, store, node)


def list_page(
    session: Session,
    store_id: int,
    *,
    online: bool | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Device], int]:
    """The store's devices by node, filtered, one page, and how many match."""
    return repository.page_in_store(
        session, store_id, online=online, kind=kind, limit=limit, offset=offset
    )


def in_store(session: Session, store_id: int) -> Sequence[Device]:
    """The store's devices by node."""
    return repository.in_store(session, store_id)


def in_store_node(session: Session, store_id: int, node: str) -> Device | None:
    return repository.in_store_node(session, store_id, node)


def every_device(session: Session) -> Sequence[Device]:
    return repository.every(session)


def online_counts(session: Session, store_id: int) -> dict[bool, int]:
    """online → number of the store's devices (the dashboard)."""
    return repository.online_counts(session, store_id)
