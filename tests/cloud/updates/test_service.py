"""Rollouts on SQLite and PostgreSQL: rings, percentages, halting, pause/resume/abort, rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.stores import service as stores
from cloud.updates import service
from cloud.updates.exceptions import RolloutStateError
from contracts.bundles import FileEntry, Manifest
from contracts.messages import UpdateReport

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _manifest(version: str) -> Manifest:
    return Manifest(
        version=version,
        node_kinds=["kiosk", "shelf"],
        created_at=NOW,
        python="cp311",
        platform="any",
        files={"app/x.py": FileEntry(sha256="0" * 64, size=1)},
    )


@pytest.fixture
def fleet(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Two stores of five kiosks on 1.0.0; s1/k1 and s2/k1 are canaries, s1 is the store ring."""
    with transaction(session_factory) as s:
        for store in ("s1", "s2"):
            stores.create_store(s, store, store)
            for i in range(1, 6):
                device = devices.register_device(s, store, f"k{i}", "kiosk")
                device.software_version = "1.0.0"
        for version in ("1.0.0", "1.1.0", "1.2.0"):
            service.publish_release(
                s, _manifest(version), sha256="a" * 64, size=10, by="admin", now=NOW
            )
        service.set_ring(s, "s1", "k1", "canary")
        service.set_ring(s, "s2", "k1", "canary")
        for i in range(2, 6):
            service.set_ring(s, "s1", f"k{i}", "store")
    return session_factory


def _report(s: Session, store: str, node: str, rollout: int, status: str, reason: str = "") -> None:
    device = devices.get_device(s, store, node)
    report = UpdateReport(
        version="1.1.0",
        status=status,
        reason=reason or None,
        rollout=str(rollout),
        at=NOW,  # type: ignore[arg-type]
    )
    service.record_report(s, device, report, NOW)


def test_rings_widen_canary_first_then_store_then_all(fleet: sessionmaker[Session]) -> None:
    with transaction(fleet) as s:
        r = service.start_rollout(
            s, "1.1.0", ring="canary", percent=100, threshold=20, by="admin", now=NOW
        )
        orders = service.due_orders(s, NOW)
        assert sorted((o.store, o.node) for o in orders) == [("s1", "k1"), ("s2", "k1")]
        assert service.due_orders(s, NOW) == []  # sent once
        for store in ("s1", "s2"):
            _report(s, store, "k1", r.id, "ok")
        service.start_rollout(
            s, "1.1.0", ring="store", percent=100, threshold=20, by="admin", now=NOW
        )
        assert {o.store for o in service.due_orders(s, NOW)} == {"s1"}
        service.start_rollout(s, "1.1.0", ring="all", percent=50, threshold=20, by="admin", now=NOW)
        half = service.due_orders(s, NOW)
        assert {(o.store, o.node) for o in half} <= {("s2", f"k{i}") for i in range(2, 6)}
        assert len(service.progress(s, r)["statuses"]) >= 1
        assert len(service.list_rollouts(s)) == 1


def test_failures_in_canary_halt_the_rollout(fleet: sessionmaker[Session]) -> None:
    with transaction(fleet) as s:
        r = service.start_rollout(
            s, "1.2.0", ring="canary", percent=100, threshold=20, by="admin", now=NOW
        )
        service.due_orders(s, NOW)
        _report(s, "s1", "k1", r.id, "trial")
        assert r.status == "running"
        _report(s, "s1", "k1", r.id, "rolled_back", "self-test failed: broker: not connected")
        assert r.status == "halted"
        assert r.halt_reason == "ring canary: 1 of 1 finished nodes failed (100% > 20%)"
        with pytest.raises(RolloutStateError, match="resume it first"):
            service.start_rollout(
                s, "1.2.0", ring="all", percent=100, threshold=20, by="admin", now=NOW
            )
        assert service.due_orders(s, NOW) == []  # nothing more is sent while halted
        failures = service.progress(s, r)["failures"]
        assert failures == [
            {
                "store": "s1",
                "node": "k1",
                "status": "rolled_back",
                "reason": "self-test failed: broker: not connected",
            }
        ]
        with pytest.raises(RolloutStateError, match="abort it first"):
            service.start_rollout(
                s, "1.1.0", ring="canary", percent=100, threshold=20, by="admin", now=NOW
            )
        service.change_rollout(s, r.id, "abort", NOW)
        assert r.status == "aborted"
        with pytest.raises(RolloutStateError, match="cannot resume"):
            service.change_rollout(s, r.id, "resume", NOW)


def test_pause_resume_and_resend_to_a_silent_node(fleet: sessionmaker[Session]) -> None:
    with transaction(fleet) as s:
        r = service.start_rollout(
            s, "1.1.0", ring="canary", percent=100, threshold=50, by="admin", now=NOW
        )
        service.change_rollout(s, r.id, "pause", NOW)
        assert service.due_orders(s, NOW) == []
        service.change_rollout(s, r.id, "resume", NOW)
        assert len(service.due_orders(s, NOW)) == 2
        later = NOW + timedelta(minutes=11)
        assert len(service.due_orders(s, later)) == 2  # no answer: asked again


def test_rollback_sends_reached_nodes_to_their_previous_version(
    fleet: sessionmaker[Session],
) -> None:
    with transaction(fleet) as s:
        r = service.start_rollout(
            s, "1.1.0", ring="canary", percent=100, threshold=50, by="admin", now=NOW
        )
        service.due_orders(s, NOW)
        _report(s, "s1", "k1", r.id, "ok")
        back = service.roll_back(s, r.id, by="admin", now=NOW)
        assert r.status == "aborted"
        assert service.release_version(s, back) == "1.0.0"
        orders = service.due_orders(s, NOW)
        assert sorted((o.node, o.version) for o in orders) == [("k1", "1.0.0"), ("k1", "1.0.0")]
