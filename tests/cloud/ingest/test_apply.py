"""apply_batch / the pipeline against a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert
from cloud.db.session import transaction
from cloud.finance.models import RevenueEntry
from cloud.ingest.apply import APPLIED
from cloud.ingest.models import DeadLetter
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.inventory.models import LaneState, Movement
from cloud.members.models import Member, PointsEntry
from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender
from contracts.messages import EVENT_PAYLOADS
from contracts.strict import Limits
from tests.cloud.factories import T0, envelope, message, sale_data, setup_store


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _pipeline(factory: sessionmaker[Session]) -> Pipeline:
    # a day of events is replayed against a clock at its start: allow a day of skew
    limits = Limits(max_future_skew_s=86_400)
    return Pipeline(factory, clock=lambda: T0 + timedelta(seconds=5), limits=limits)


def _seed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        setup_store(s)


def test_sale_writes_everything_once_even_when_repeated(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    topic, raw = message(envelope("sale", sale_data(member={"phone": "13800000001"}), seq=1))
    pipe.process([Inbound(topic, raw)] * 3)  # three copies in one batch
    pipe.process([Inbound(topic, raw)])  # and once more later
    with session_factory() as s:
        assert _count(s, Sale) == 1
        assert _count(s, SaleLine) == 5
        assert _count(s, SaleDiscount) == 1
        assert _count(s, Tender) == 1
        assert _count(s, Movement) == 5
        assert _count(s, RevenueEntry) == 1
        assert _count(s, PointsEntry) == 1
        sale = s.scalars(select(Sale)).one()
        member = s.scalars(select(Member)).one()
        # subtotal 2×(10+…+14) = 120, 1.00 off: paid 124 - 5 change = 119 → 119 points
        assert sale.total == Decimal("119.00")
        assert sale.points_earned == 119
        assert member.points_balance == 119
        assert member.lifetime_spend == Decimal("119.00")
        revenue = s.scalars(select(RevenueEntry)).one()
        assert revenue.revenue == sale.total - sale.tax_total
        # cost: qty 2 of each item, cost 6,7,8,9,10
        assert revenue.cost == Decimal("80.00")
        assert sorted(m.qty for m in s.scalars(select(Movement))) == [Decimal(-2)] * 5
    assert pipe.applied == 1
    assert pipe.dead_lettered == 0


def test_unknown_member_records_sale_without_points(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    topic, raw = message(envelope("sale", sale_data(member={"card": "NOPE-9"}), seq=1))
    _pipeline(session_factory).process([Inbound(topic, raw)])
    with session_factory() as s:
        sale = s.scalars(select(Sale)).one()
        assert sale.member_id is None
        assert sale.points_earned == 0
        assert "unknown member" in sale.note
        assert _count(s, PointsEntry) == 0


def test_same_sale_id_under_a_new_seq_is_not_doubled(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    for seq in (1, 2):
        topic, raw = message(envelope("sale", sale_data("S-X"), seq=seq))
        pipe.process([Inbound(topic, raw)])
    with session_factory() as s:
        assert _count(s, Sale) == 1
        assert _count(s, Movement) == 5


def test_another_event_under_a_taken_seq_is_dead_lettered_not_dropped(
    session_factory: sessionmaker[Session],
) -> None:
    """A node that reuses its seq (restored outbox, bug): the second event is kept."""
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    first = message(envelope("sale", sale_data("S-A"), seq=7))
    later = message(envelope("sale", sale_data("S-B"), seq=7, event_id=uuid.uuid4()))
    same_batch = message(envelope("sale", sale_data("S-C"), seq=8))
    rival = message(envelope("sale", sale_data("S-D"), seq=8, event_id=uuid.uuid4()))
    pipe.process([Inbound(*first)])
    pipe.process([Inbound(*later), Inbound(*first), Inbound(*same_batch), Inbound(*rival)])
    with session_factory() as s:
        assert sorted(s.scalars(select(Sale.sale_id))) == ["S-A", "S-C"]
        letters = s.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
        assert sorted(bytes(d.payload) for d in letters) == sorted([rival[1], later[1]])
        assert all("seq" in d.reason and "already taken" in d.reason for d in letters)
        assert {"seq 7 of demo/kiosk-1", "seq 8 of demo/kiosk-1"} == {
            d.reason.split(" is ")[0] for d in letters
        }
    assert (pipe.applied, pipe.dead_lettered) == (2, 2)


def test_malformed_and_mismatched_messages_are_dead_lettered(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    good_topic, good = message(envelope("sale", sale_data("S-ok"), seq=1))
    bad_store_topic = good_topic.replace("/demo/", "/other/")
    pipe.process(
        [
            Inbound(good_topic, b"{not json"),
            Inbound(bad_store_topic, good),
            Inbound(good_topic, b"\xff\xfe\x00"),
            Inbound("smartstore/v1/demo/kiosk-1/evt/BAD", good),
            Inbound(good_topic, good),
        ]
    )
    with session_factory() as s:
        letters = s.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
        assert len(letters) == 4
        assert "not valid JSON" in letters[0].reason
        assert "disagrees with topic" in letters[1].reason
        assert letters[1].payload == good
        assert _count(s, Sale) == 1


def test_stock_events_open_and_auto_resolve_alerts(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)

    def stock(seq: int, state: str, count: int, minutes: int) -> Inbound:
        data = {
            "lane": "a1",
            "sku": "SKU-0",
            "gtin": "06901234567892",
            "count": count,
            "grams": str(count * 350),
            "state": state,
        }
        env = envelope("stock", data, seq=seq, node="shelf-1", ts=T0 + timedelta(minutes=minutes))
        return Inbound(*message(env))

    pipe.process([stock(1, "low", 2, 0)])
    pipe.process([stock(2, "out", 0, 1)])
    pipe.process([stock(3, "out", 0, 2)])  # still out: same alert, bumped
    pipe.process([stock(5, "ok", 12, 31)])  # restocked
    pipe.process([stock(4, "out", 0, 3)])  # late, older seq: ignored
    with session_factory() as s:
        lane = s.scalars(select(LaneState)).one()
        assert (lane.state, lane.count, lane.seq) == ("ok", 12, 5)
        alerts = {a.type: a for a in s.scalars(select(Alert))}
        assert set(alerts) == {"low_stock", "out_of_stock"}
        out = alerts["out_of_stock"]
        assert out.status == "cleared_unack"
        assert out.open_key is None
        assert out.occurrences == 2
        assert out.details["time_to_restock_s"] == 30 * 60
        assert alerts["low_stock"].status == "cleared_unack"


def test_intervention_fault_and_zreport(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    pipe = _pipeline(session_factory)
    raised = {"intervention_id": "i1", "kind": "age_restricted", "state": "raised"}
    cleared = {**raised, "state": "cleared", "cleared_by": "staff"}
    fault = {"code": "printer_paper_out", "component": "printer"}
    zreport = {
        "report_no": 1,
        "business_date": "2026-03-02",
        "opened_at": "2026-03-02T01:00:00Z",
        "closed_at": "2026-03-02T14:00:00Z",
        "sales_count": 1,
        "gross": "60.00",
        "discounts": "1.00",
        "tax": "6.79",
        "total": "59.00",
    }
    pipe.process(
        [
            Inbound(*message(envelope("intervention", raised, seq=1))),
            Inbound(*message(envelope("fault", fault, seq=2))),
            Inbound(*message(envelope("zreport", zreport, seq=3))),
        ]
    )
    with session_factory() as s:
        open_types = {a.type for a in s.scalars(select(Alert).where(Alert.open_key.is_not(None)))}
        assert open_types == {"kiosk_intervention", "device_fault"}
    pipe.process([Inbound(*message(envelope("intervention", cleared, seq=4)))])
    with session_factory() as s:
        alert = s.scalars(select(Alert).where(Alert.type == "kiosk_intervention")).one()
        assert alert.status == "cleared_unack"
        assert alert.resolved_by == "staff"
        from cloud.sales.models import ZReport

        assert s.scalars(select(ZReport)).one().total == Decimal("59.00")


def test_every_event_type_in_the_contracts_has_an_apply_step() -> None:
    """An event type added to contracts without an apply step used to be marked processed
    and never read (the isinstance chain's last branch took anything)."""
    assert set(EVENT_PAYLOADS.values()) == set(APPLIED)
