"""Seed: a realistic catalog with valid GTINs, deterministic and idempotent, on both databases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from cloud.db.session import make_engine, make_sessionmaker
from cloud.devices.models import Device
from cloud.members.models import Member
from cloud.products.gtin import check_digit, is_valid_gtin, normalize_gtin
from cloud.products.models import Product, ProductBarcode
from cloud.promotions.models import Promotion
from cloud.seed.catalog import gtin13, load_catalog
from cloud.seed.service import seed_database
from cloud.stores.models import Store


def test_catalog_is_realistic_and_deterministic() -> None:
    catalog = load_catalog()
    assert catalog == load_catalog()
    assert len(catalog) >= 280
    assert len({p.category for p in catalog}) >= 10
    gtins = [p.gtin for p in catalog if p.gtin]
    assert len(gtins) == len(set(gtins))
    assert all(len(g) == 14 and is_valid_gtin(g) for g in gtins)
    assert any(p.weighed and p.plu for p in catalog)
    assert any(p.min_age == 18 for p in catalog)
    assert all(p.cost < p.price for p in catalog)
    assert all(p.unit_weight_g for p in catalog if not p.weighed)


@given(st.integers(0, 9999), st.integers(0, 99999))
def test_generated_gtins_have_valid_check_digits(company: int, item: int) -> None:
    code = gtin13(company, item)
    assert len(code) == 13
    assert is_valid_gtin(code)
    assert normalize_gtin(code) == "0" + code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not is_valid_gtin(wrong)


def test_known_check_digits() -> None:
    assert check_digit("400638133393") == "1"  # EAN-13 4006381333931
    assert check_digit("03600029145") == "2"  # UPC-A 036000291452
    assert normalize_gtin("036000291452") == "00036000291452"


def test_seed_twice_adds_nothing_the_second_time(db_url: str) -> None:
    first = seed_database(db_url, password="demo-password-1")
    assert first.created["products"] >= 280
    assert first.generated_password is None
    second = seed_database(db_url, password="demo-password-1")
    assert not any(second.created.values()), second.created
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as s:

            def count(model: type) -> int:
                return int(s.scalar(select(func.count()).select_from(model)) or 0)

            assert count(Store) == 3
            assert count(Device) == 9
            assert count(Product) == len(load_catalog())
            assert count(ProductBarcode) == sum(1 for p in load_catalog() if p.gtin)
            assert count(Member) == 50
            kinds = set(s.scalars(select(Promotion.kind)))
            assert kinds == {
                "percent_off",
                "amount_off",
                "buy_x_get_y",
                "spend_x_save_y",
                "bundle_price",
                "gift_item",
            }
            demo = s.scalars(select(Store).where(Store.code == "demo")).one()
            nodes = set(s.scalars(select(Device.node).where(Device.store_id == demo.id)))
            assert nodes == {"kiosk-1", "kiosk-2", "shelf-1"}
            from cloud.auth.models import User

            assert set(s.scalars(select(User.username))) == {"admin", "manager", "staff"}
    finally:
        engine.dispose()


def test_seed_generates_a_password_when_none_given(db_url: str) -> None:
    report = seed_database(db_url)
    assert report.generated_password
    assert len(report.generated_password) >= 12
