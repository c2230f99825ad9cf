"""A node whose outbox disk is full says so in its retained state (no disk write needed):
the cloud raises one ``device_fault`` on ``<node>/storage`` and clears it when a later state
says there is room. States that do not tell (older nodes: ``storage_full`` absent) change
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service as alerts
from cloud.db.session import transaction
from cloud.devices import service as devices
from contracts.messages import NodeState
from tests.cloud.factories import setup_store

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def storage_alerts(s: Session) -> list[tuple[str, int, bool]]:
    return [
        (a.source, a.occurrences, a.resolved_at is not None)
        for a in alerts.list_alerts(s, store="demo", alert_type="device_fault")
    ]


def apply(factory: sessionmaker[Session], at: datetime, **state: object) -> None:
    base: dict[str, object] = {"online": True, "boot": 1}
    with transaction(factory) as s:
        device = devices.get_device(s, "demo", "kiosk-1")
        devices.apply_state(s, device, NodeState.model_validate(base | state), at)


def test_storage_full_raises_one_alert_and_room_clears_it(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    apply(session_factory, T0)
    apply(session_factory, T0 + timedelta(seconds=1), storage_full=False)
    with session_factory() as s:
        assert storage_alerts(s) == []
    apply(session_factory, T0 + timedelta(seconds=2), storage_full=True)
    apply(session_factory, T0 + timedelta(seconds=3), storage_full=True)  # a heartbeat
    apply(session_factory, T0 + timedelta(seconds=4))  # an older node's state: not told
    with session_factory() as s:
        assert storage_alerts(s) == [("kiosk-1/storage", 1, False)]
    apply(session_factory, T0 + timedelta(seconds=5), storage_full=False)
    with session_factory() as s:
        assert storage_alerts(s) == [("kiosk-1/storage", 1, True)]
