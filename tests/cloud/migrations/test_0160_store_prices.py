"""Migration 0160 (store prices, coupon limits, campaign caps) down and up again with data in
the tables it alters: campaigns and coupons keep every row (SQLite recreates them in batch
mode, with foreign keys on), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, inspect, select

from cloud.db.migrate import downgrade, upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.marketing.models import Campaign
from cloud.members import coupons, limits
from cloud.members.models import Coupon
from cloud.products import service as products
from cloud.products import store_prices
from cloud.stores import service as stores

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_down_and_up_keeps_campaigns_and_coupons(db_url: str) -> None:
    upgrade(db_url, "head")
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        with transaction(sessions) as s:
            store = stores.create_store(s, "demo", "Demo")
            products.ensure_tax_class(s, "std", Decimal("0.13"))
            product = products.create_product(s, sku="TEA-1", name="Tea", price=Decimal("3.00"))
            store_prices.set_store_price(
                s, store, product, price=Decimal("2.50"), member_price=None, available=True,
                now=NOW, by="manager",
            )  # fmt: skip
            limits.save(s, limits.DEFAULTS, now=NOW, by="hq")
            campaign = Campaign(
                code="SPRING", name="Spring", coupon_prefix="SP", coupon_value=Decimal(5),
                max_coupons=10, created_at=NOW,
            )  # fmt: skip
            s.add(campaign)
            s.flush()
            coupons.issue(
                s, prefix="SP", kind="amount_off", value=Decimal(5), now=NOW,
                campaign_id=campaign.id, issued_by_id=7,
            )  # fmt: skip
        downgrade(db_url, "0150")
        tables = set(inspect(engine).get_table_names())
        assert {"store_prices", "coupon_limits"}.isdisjoint(tables)
        assert "max_coupons" not in {c["name"] for c in inspect(engine).get_columns("campaigns")}
        upgrade(db_url, "head")
        with sessions() as s:
            assert s.scalar(select(func.count(Coupon.id))) == 1
            row = s.scalars(select(Campaign)).one()
            assert (row.code, row.max_coupons) == ("SPRING", None)  # older rows: no cap
            assert s.scalars(select(Coupon.issued_by_id)).one() is None
            assert limits.current(s) == limits.DEFAULTS  # no row: the defaults
    finally:
        engine.dispose()
        downgrade(db_url, "base")
