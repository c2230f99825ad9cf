"""The price book carries the coupon rules of campaigns and the tier table; a kiosk with that
book prices the coupon and the tier; ingest multiplies points by the member's cloud tier."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.marketing.models import Campaign
from cloud.members import coupons
from cloud.members.models import Member
from cloud.members.tiers import TierPolicy
from cloud.pricebook.builder import build_pricebook
from cloud.sales.models import Sale
from cloud.stores.models import Store
from contracts.pricebook import PriceBook, Product, TaxClass, TierBenefit
from contracts.pricing import BasketLine, points_earned, price_basket
from tests.cloud.factories import T0
from tests.cloud.members.helpers import PHONE, deliver, member_sale, pipeline, seed


def _campaign(s: Session, code: str, prefix: str, *, active: bool, kind: str = "amount_off") -> int:
    row = Campaign(
        code=code,
        name=f"Campaign {code}",
        coupon_prefix=prefix,
        coupon_kind=kind,
        coupon_value=Decimal(10) if kind == "percent_off" else Decimal("5.00"),
        min_spend=Decimal("20.00"),
        active=active,
        created_at=T0 - timedelta(days=90),
    )
    s.add(row)
    s.flush()
    return row.id


def _issue(s: Session, cid: int, prefix: str, days_left: int) -> str:
    c = coupons.issue(
        s,
        prefix=prefix,
        kind="amount_off",
        value=Decimal("5.00"),
        now=T0,
        campaign_id=cid,
        valid_from=T0 + timedelta(days=min(days_left, 0) - 30),
        expires_at=T0 + timedelta(days=days_left),
    )
    assert c is not None
    return c.code


def _book(factory: sessionmaker[Session]) -> PriceBook:
    with transaction(factory) as s:
        store = s.scalars(select(Store).where(Store.code == "demo")).one()
        return build_pricebook(s, store, 1, T0)


def test_builder_publishes_campaign_rules_and_tiers(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    with transaction(session_factory) as s:
        spring = _campaign(s, "SPRING", "SPR", active=True)
        tenpct = _campaign(s, "TENPCT", "TEN", active=True, kind="percent_off")
        ended = _campaign(s, "ENDED", "END", active=False)
        gone = _campaign(s, "GONE", "GON", active=False)
        _campaign(s, "NEVER", "NEV", active=False)  # no code ever issued: nothing to honour
        good = _issue(s, spring, "SPR", 20)
        lapsed = _issue(s, ended, "END", -3)  # the ended campaign's last code lapsed 3 days ago
        _issue(s, gone, "GON", -60)  # beyond the grace period: left out
        assert tenpct
    book = _book(session_factory)
    rules = {r.id: r for r in book.coupons}
    assert sorted(rules) == ["ENDED", "SPRING", "TENPCT"]
    assert rules["SPRING"].prefix == "SPR"
    assert rules["SPRING"].value == Decimal("5.00")
    assert rules["SPRING"].min_spend == Decimal("20.00")
    assert rules["SPRING"].window.ends_at is None  # running campaign: open
    assert rules["TENPCT"].kind == "percent_off"
    assert rules["ENDED"].window.ends_at == T0 - timedelta(days=3)
    assert [(t.name, t.discount_rate, t.points_multiplier) for t in book.tiers] == [
        (t.name, t.discount_rate, t.points_multiplier) for t in TierPolicy().tiers
    ]
    # the kiosk's pricing with this book: the running campaign's code applies, the ended one
    # is refused with its reason, below min spend is refused too
    lines = [BasketLine("L1", "SKU-4", Decimal(2))]  # 2 × 14.00
    priced = price_basket(book, lines, at=T0, coupons=[good, lapsed])
    assert priced.coupons_applied == (good,)
    assert dict(priced.coupons_rejected) == {lapsed: "not_active"}
    assert priced.discount_total == Decimal("5.00")
    small = price_basket(book, [BasketLine("L1", "SKU-0", Decimal(1))], at=T0, coupons=[good])
    assert dict(small.coupons_rejected) == {good: "below_min_spend"}


def test_tier_discount_and_points_multiplier(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    with transaction(session_factory) as s:
        s.execute(Member.__table__.update().where(Member.phone == PHONE).values(tier="gold"))  # type: ignore[attr-defined]
    book = _book(session_factory)
    gold = book.tier("gold")
    assert gold is not None
    lines = [BasketLine("L1", "SKU-0", Decimal(3)), BasketLine("L2", "SKU-1", Decimal(1))]
    plain = price_basket(book, lines, at=T0, member=True)
    tiered = price_basket(book, lines, at=T0, member=True, tier="gold")
    assert plain.total - tiered.total == (plain.total * gold.discount_rate).quantize(
        Decimal("0.01")
    )
    assert price_basket(book, lines, at=T0, member=False, tier="gold").total == plain.total
    assert price_basket(book, lines, at=T0, member=True, tier="nobody").total == plain.total
    # ingest: the gold member's sale earns points × 1.5, once however often it is delivered
    data = member_sale("S-GOLD")
    deliver(pipeline(session_factory), data, seq=1, copies=3)
    with session_factory() as s:
        sale = s.scalars(select(Sale).where(Sale.sale_id == "S-GOLD")).one()
        member = s.scalars(select(Member).where(Member.phone == PHONE)).one()
        expected = points_earned(book, Decimal(data["total"]), tier="gold")
        assert expected == int(Decimal(data["total"]) * gold.points_multiplier)
        assert sale.points_earned == expected
        assert member.points_balance == expected


@settings(max_examples=60, deadline=None)
@given(
    qtys=st.lists(st.integers(1, 5), min_size=1, max_size=5),
    rate=st.decimals(min_value=0, max_value=Decimal("0.5"), places=2),
    split=st.booleans(),
)
def test_tier_discount_is_exact_and_split_invariant(
    qtys: list[int], rate: Decimal, split: bool
) -> None:
    book = PriceBook(
        store="demo",
        version=1,
        published_at=T0,
        tax_classes=[TaxClass(code="std", rate=Decimal("0.13"))],
        products=[
            Product(sku=f"P{i}", name=f"P{i}", gtins=[f"{i + 1:014d}"], price=Decimal(7) + i)
            for i in range(5)
        ],
        tiers=[TierBenefit(name="gold", discount_rate=rate)],
    )
    whole = [BasketLine(f"L{i}", f"P{i}", Decimal(q)) for i, q in enumerate(qtys)]
    parts = [
        BasketLine(f"L{i}-{u}", f"P{i}", Decimal(1)) for i, q in enumerate(qtys) for u in range(q)
    ]
    a = price_basket(book, whole, at=T0, member=True, tier="gold")
    b = price_basket(book, parts if split else whole, at=T0, member=True, tier="gold")
    plain = price_basket(book, whole, at=T0, member=True)
    assert a.total == b.total
    assert a.tax_total == b.tax_total
    assert a.total == a.subtotal - a.discount_total
    assert plain.total - a.total == (plain.total * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert all(ln.net >= 0 for ln in a.lines)
