"""An event_id reused with another body is a dead letter naming both digests; a re-send (the
same event, ``historical`` set by the node's outbox) is a quiet duplicate, in one batch or two."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.devices.models import Device
from cloud.ingest.models import DeadLetter
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.sales.models import Sale
from contracts.topics import state_topic
from tests.cloud.factories import T0, envelope, message, sale_data, setup_store


def _pipeline(factory: sessionmaker[Session]) -> Pipeline:
    with transaction(factory) as s:
        setup_store(s)
    return Pipeline(factory, clock=lambda: T0 + timedelta(seconds=5))


def _variant(sale_id: str, historical: bool = False) -> Inbound:
    topic, raw = message(envelope("sale", sale_data(sale_id), seq=1))
    doc = json.loads(raw)
    doc["data"]["sale_id"] = sale_id
    doc["historical"] = historical
    return Inbound(topic, json.dumps(doc).encode())


def _state(factory: sessionmaker[Session]) -> tuple[list[str], list[str]]:
    with factory() as s:
        sales = list(s.scalars(select(Sale.sale_id)))
        reasons = list(s.scalars(select(DeadLetter.reason).order_by(DeadLetter.id)))
    return sales, reasons


def test_reuse_across_batches(session_factory: sessionmaker[Session]) -> None:
    pipe = _pipeline(session_factory)
    pipe.process([_variant("S-1")])
    pipe.process([_variant("S-1", historical=True), _variant("S-forged")])
    sales, reasons = _state(session_factory)
    assert sales == ["S-1"]
    assert len(reasons) == 1
    assert "reused with another body: applied sha256:" in reasons[0]
    assert reasons[0].count("sha256:") == 2


def test_reuse_inside_one_batch_is_judged_against_what_was_kept(
    session_factory: sessionmaker[Session],
) -> None:
    pipe = _pipeline(session_factory)
    pipe.process([_variant("S-1"), _variant("S-forged"), _variant("S-1", historical=True)])
    sales, reasons = _state(session_factory)
    assert sales == ["S-1"]
    assert len(reasons) == 1
    assert "reused with another body" in reasons[0]


def test_a_state_with_an_oversized_boot_is_ignored(session_factory: sessionmaker[Session]) -> None:
    pipe = _pipeline(session_factory)
    topic = state_topic("demo", "kiosk-1")
    pipe.process([Inbound(topic, b'{"online": true, "boot": 1099511627776}')])
    pipe.process([Inbound(topic, b'{"online": true, "boot": 7}')])
    with session_factory() as s:
        device = s.scalars(select(Device).where(Device.node == "kiosk-1")).one()
        assert device.boot == 7
    assert _state(session_factory)[1] == []
