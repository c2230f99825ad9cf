"""Regression (the soak, twice): a node raised an intervention and cleared it; the clear was
applied first, found nothing open and left no trace, so the raise applied after it opened an
alert the node had already cleared. Sequentially and with two workers racing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert
from cloud.db.session import transaction
from cloud.ingest.pipeline import Inbound, Pipeline
from contracts.strict import Limits
from tests.cloud.factories import T0, envelope, message, setup_store


def _pipeline(factory: sessionmaker[Session]) -> Pipeline:
    return Pipeline(factory, clock=lambda: T0 + timedelta(seconds=5), limits=Limits())


def _open(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with factory() as s:
        rows = s.scalars(select(Alert).where(Alert.open_key.is_not(None))).all()
        return sorted((a.source, a.type) for a in rows)


def _pair(n: int, node: str = "kiosk-1") -> tuple[Inbound, Inbound]:
    """The node's raise (seq 2n+1) and clear (seq 2n+2) of intervention n, 1 s apart."""
    raised = {"intervention_id": f"i{n}", "kind": "weight_mismatch", "state": "raised"}
    cleared = {**raised, "state": "cleared", "cleared_by": "staff"}
    at = T0 + timedelta(seconds=2 * n)
    return (
        Inbound(*message(envelope("intervention", raised, seq=2 * n + 1, node=node, ts=at))),
        Inbound(
            *message(
                envelope(
                    "intervention", cleared, seq=2 * n + 2, node=node, ts=at + timedelta(seconds=1)
                )
            )
        ),
    )


def test_a_clear_applied_before_its_raise_leaves_nothing_open(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    pipe = _pipeline(session_factory)
    raised, cleared = _pair(0)
    pipe.process([cleared])
    pipe.process([raised])
    assert _open(session_factory) == []
    fault_on = {"code": "paper_out", "component": "printer", "active": True}
    fault_off = {**fault_on, "active": False}
    later = T0 + timedelta(seconds=10)
    pipe.process([Inbound(*message(envelope("fault", fault_off, seq=11, ts=later)))])
    earlier = later - timedelta(seconds=1)
    pipe.process([Inbound(*message(envelope("fault", fault_on, seq=10, ts=earlier)))])
    assert _open(session_factory) == []
    # and the node's next raise, newer than both, opens as it should
    again, _ = _pair(1)
    pipe.process([again])
    assert _open(session_factory) == [("kiosk-1", "kiosk_intervention")]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_racing_a_raise_and_its_clear_leave_nothing_open(
    session_factory: sessionmaker[Session],
) -> None:
    """Each round, two workers apply one intervention's clear and raise at the same moment;
    before the toggle rows, some round of the 30 always left the alert open."""
    with transaction(session_factory) as s:
        setup_store(s)
    workers = [_pipeline(session_factory), _pipeline(session_factory)]
    for n in range(30):
        raised, cleared = _pair(n)
        start = threading.Barrier(2)

        def run(pipe: Pipeline, inbound: Inbound, start: threading.Barrier = start) -> None:
            start.wait()
            pipe.process([inbound])

        threads = [
            threading.Thread(target=run, args=(workers[0], cleared)),
            threading.Thread(target=run, args=(workers[1], raised)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _open(session_factory) == [], f"round {n}"
