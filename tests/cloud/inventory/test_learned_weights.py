"""Learned unit weights from shelf stock events: kept per store and product, carried by
that store's price book only (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.inventory import service
from cloud.inventory.models import LearnedWeight
from cloud.pricebook.publisher import MemorySink, PriceBookPublisher
from cloud.stores.models import Store
from contracts.messages import StockData
from contracts.pricebook import decode_pricebook
from contracts.topics import pricebook_topic
from tests.cloud.factories import setup_store

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
GTIN = "06901234567892"  # SKU-0 of setup_store


def _stock(lane: str, weight: str | None, spread: str | None, units: int) -> StockData:
    return StockData(
        lane=lane,
        sku="SKU-0",
        gtin=GTIN,
        count=8,
        grams=Decimal(800),
        state="ok",
        unit_weight_g=None if weight is None else Decimal(weight),
        unit_spread_g=None if spread is None else Decimal(spread),
        units_learned=units,
    )


def _apply(s: Session, store: str, node: str, data: StockData, seq: int) -> None:
    sid = s.scalar(select(Store.id).where(Store.code == store))
    assert sid is not None
    service.apply_stock(
        s, store_id=sid, node=node, data=data, now=T0 + timedelta(seconds=seq), seq=seq
    )


def test_a_lane_keeps_its_learned_weight_and_a_better_taught_lane_replaces_it(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "demo")
        setup_store(s, "north")
    with transaction(session_factory) as s:
        _apply(s, "demo", "shelf-1", _stock("a1", None, None, 3), 1)  # not learned yet
        assert s.scalars(select(LearnedWeight)).all() == []
        _apply(s, "demo", "shelf-1", _stock("a1", "104.5", "2.1", 12), 2)
        _apply(s, "demo", "shelf-1", _stock("b7", "99.0", "4.0", 6), 3)  # fewer units: kept out
        _apply(s, "demo", "shelf-1", _stock("a1", "104.9", "1.9", 14), 4)  # its own lane refines
    with transaction(session_factory) as s:
        (row,) = s.scalars(select(LearnedWeight)).all()
        assert (row.lane, row.unit_weight_g, row.spread_g, row.units_learned) == (
            "a1",
            Decimal("104.9"),
            Decimal("1.9"),
            14,
        )
        _apply(s, "demo", "shelf-1", _stock("b7", "105.2", "1.5", 40), 5)  # taught by more units
    with transaction(session_factory) as s:
        (row,) = s.scalars(select(LearnedWeight)).all()
        assert (row.lane, row.unit_weight_g) == ("b7", Decimal("105.2"))

    sink = MemorySink()
    PriceBookPublisher(session_factory, sink).publish(["demo", "north"])
    demo = {p.sku: p for p in decode_pricebook(sink.retained[pricebook_topic("demo")]).products}
    north = {p.sku: p for p in decode_pricebook(sink.retained[pricebook_topic("north")]).products}
    assert (demo["SKU-0"].learned_weight_g, demo["SKU-0"].learned_spread_g) == (
        Decimal("105.2"),
        Decimal("1.5"),
    )
    assert demo["SKU-1"].learned_weight_g is None
    assert north["SKU-0"].learned_weight_g is None  # another store's shelf taught nothing here
