"""Whole batches through the pipeline: the bulk paths (one statement per table on PostgreSQL,
executemany on SQLite) must give exactly the rows that one event at a time would."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.finance.models import RevenueEntry
from cloud.ingest.models import DeadLetter, ProcessedEvent
from cloud.ingest.pipeline import Inbound, Pipeline, predecode
from cloud.inventory.models import Movement
from cloud.members.models import Member, PointsEntry
from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender
from tests.cloud.factories import T0, envelope, message, sale_data, setup_store

PHONE = {"phone": "13800000001"}
CARD = {"card": "CARD-0001"}


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _pipeline(factory: sessionmaker[Session]) -> Pipeline:
    return Pipeline(factory, clock=lambda: T0 + timedelta(seconds=5))


def _sale(i: int, seq: int | None = None, member: dict[str, str] | None = None) -> Inbound:
    node = "kiosk-1" if i % 2 else "kiosk-2"
    env = envelope("sale", sale_data(f"S-{i:04d}", member=member), seq=seq or i + 1, node=node)
    topic, raw = message(env)
    return Inbound(topic, raw)


def _member_of(i: int) -> dict[str, str] | None:
    return PHONE if i % 3 == 0 else CARD if i % 3 == 1 else None


def _seed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        setup_store(s)


def _totals(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as s:
        member = s.scalars(select(Member)).one()
        return {
            "events": _count(s, ProcessedEvent),
            "sales": _count(s, Sale),
            "lines": _count(s, SaleLine),
            "discounts": _count(s, SaleDiscount),
            "tenders": _count(s, Tender),
            "movements": _count(s, Movement),
            "revenue": _count(s, RevenueEntry),
            "points_rows": _count(s, PointsEntry),
            "balance": member.points_balance,
            "spend": member.lifetime_spend,
            "stock": s.scalar(select(func.sum(Movement.qty))),
            "cost": s.scalar(select(func.sum(RevenueEntry.cost))),
            "line_sale_pks": s.scalar(select(func.count(func.distinct(SaleLine.sale_pk)))),
        }


def _expected(sales: int, member_sales: int, events: int) -> dict[str, Any]:
    # each factory sale: 5 lines of qty 2 (cost 6..10), one line discount, one cash tender,
    # total 119.00 → 119 points for a member sale
    return {
        "events": events,
        "sales": sales,
        "lines": 5 * sales,
        "discounts": sales,
        "tenders": sales,
        "movements": 5 * sales,
        "revenue": sales,
        "points_rows": member_sales,
        "balance": 119 * member_sales,
        "spend": Decimal("119.00") * member_sales,
        "stock": Decimal(-10 * sales),
        "cost": Decimal("80.00") * sales,
        "line_sale_pks": sales,
    }


def test_one_batch_with_duplicates_inside_it(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    batch = [_sale(i, member=_member_of(i)) for i in range(40)]
    batch += batch[:5]  # the same messages again in the same batch
    batch.append(_sale(7, seq=900, member=_member_of(7)))  # sale S-0007 under a new event
    pipe.process(batch)
    members = sum(1 for i in range(40) if _member_of(i) is not None)
    assert _totals(session_factory) == _expected(40, members, events=41)
    assert pipe.applied == 41
    assert pipe.dead_lettered == 0


def test_overlapping_batches_apply_only_the_new_events(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    pipe.process([_sale(i, member=PHONE) for i in range(0, 20)])
    pipe.process([_sale(i, member=PHONE) for i in range(10, 30)])
    pipe.process([_sale(i, member=PHONE) for i in range(0, 30)])
    assert _totals(session_factory) == _expected(30, 30, events=30)
    assert pipe.applied == 30


def test_racing_pipelines_apply_each_event_once(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    pipes = [_pipeline(session_factory) for _ in range(2)]
    batches = [
        [_sale(i, member=_member_of(i)) for i in range(0, 60)],
        [_sale(i, member=_member_of(i)) for i in range(59, -1, -1)],  # reverse order
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(pipe: Pipeline, batch: list[Inbound]) -> None:
        try:
            start.wait(10)
            pipe.process(batch)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(pipes, batches, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    members = sum(1 for i in range(60) if _member_of(i) is not None)
    assert _totals(session_factory) == _expected(60, members, events=60)
    assert sum(p.applied for p in pipes) == 60


def test_a_sale_the_database_refuses_is_dead_lettered_alone(
    session_factory: sessionmaker[Session],
) -> None:
    """A NUL character passes the contract but PostgreSQL text refuses it: the batch falls
    back to one message per transaction and only that sale becomes a dead letter."""
    _seed(session_factory)
    data = sale_data("S-NUL")
    data["lines"][1]["name"] = "bad\x00name"
    odd = Inbound(*message(envelope("sale", data, seq=500)))
    pipe = _pipeline(session_factory)
    pipe.process([_sale(i) for i in range(10)] + [odd] + [_sale(i) for i in range(10, 20)])
    with session_factory() as s:
        recorded = set(s.scalars(select(Sale.sale_id)))
        letters = s.scalars(select(DeadLetter)).all()
        postgres = s.get_bind().dialect.name == "postgresql"
    assert {f"S-{i:04d}" for i in range(20)} <= recorded
    if postgres:
        assert "S-NUL" not in recorded
        assert len(letters) == 1
        assert "apply failed" in letters[0].reason
    else:  # SQLite stores the NUL as it is
        assert "S-NUL" in recorded
        assert letters == []


def test_predecoded_messages_apply_and_bad_ones_still_dead_letter(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    good = _sale(1)
    nested = (
        b"[" * 100_000 + b"]" * 100_000
    )  # json.loads raises RecursionError, not a contract error
    inbound = [
        predecode(good.topic, good.payload),
        predecode(good.topic, b"{not json"),
        predecode(good.topic, nested),
        predecode("not/a/topic", good.payload),
    ]
    assert inbound[0].decoded is not None
    assert all(m.decoded is None for m in inbound[1:])
    pipe = _pipeline(session_factory)
    pipe.process(inbound)
    assert pipe.applied == 1
    assert pipe.dead_lettered == 3
