"""The pure checkout: states, items, interventions, payments, suspend/resume, snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from kiosk.domain import payflow
from kiosk.domain.checkout import Checkout, ItemInput
from kiosk.exceptions import BlockedError, CheckoutError, ItemRejected, UnknownCode
from tests.kiosk.books import APPLES, BAG, BEER, BREAD, MILK, NOW, Clock, demo_book, ids


@pytest.fixture
def co() -> Checkout:
    return Checkout(demo_book(), Clock(), ids())


def add(co: Checkout, gtin: str, **kw: object) -> str:
    product = co.catalog.by_gtin(gtin)
    assert product is not None
    return co.add_item(ItemInput(product, **kw)).line_id  # type: ignore[arg-type]


def test_happy_path_card_then_receipt(co: Checkout) -> None:
    assert co.phase == "idle"
    add(co, MILK)
    assert co.phase == "scanning"
    assert co.on_weight(D("1041.5")) == "bagged"
    co.start_payment()
    payflow.begin_attempt(co, "card", "ref-1")
    payflow.attempt_result(co, "ref-1", "approved", "A1")
    assert payflow.fully_paid(co)
    sale = co.complete()
    assert co.phase == "receipt"
    assert sale.total == D("6.50")
    assert [t.method for t in sale.tenders] == ["card"]
    assert sale.tenders[0].reference == "ref-1"
    co.finish()
    assert co.phase == "done"
    add(co, BAG)  # the next shopper starts a fresh cart
    assert co.phase == "scanning"
    assert len(co.cart.lines) == 1


def test_repeat_scan_merges_and_quantity_changes(co: Checkout) -> None:
    line = add(co, BREAD)
    add(co, BREAD)
    assert co.cart.lines[0].qty == 2
    co.set_qty(line, D(5))
    assert co.cart.lines[0].qty == 5
    with pytest.raises(CheckoutError):
        co.set_qty(line, D("1.5"))


def test_weighed_item_needs_weight_and_never_merges(co: Checkout) -> None:
    with pytest.raises(ItemRejected):
        add(co, APPLES)
    add(co, APPLES, weight_kg=D("0.512"))
    add(co, APPLES, weight_kg=D("0.300"))
    assert [ln.qty for ln in co.cart.lines] == [D("0.512"), D("0.300")]
    assert co.priced().total == D("7.96")


def test_expired_item_is_blocked_with_a_reason(co: Checkout) -> None:
    with pytest.raises(ItemRejected) as err:
        add(co, MILK, expiry=date(2025, 3, 13))
    assert err.value.code == "expired"
    assert co.cart.empty
    add(co, MILK, expiry=date(2025, 3, 14))  # today is still fine
    assert len(co.cart.lines) == 1


def test_age_restricted_blocks_until_attendant_approves(co: Checkout) -> None:
    add(co, BEER)
    assert co.blocked
    assert co.open_interventions[0].kind == "age_restricted"
    with pytest.raises(BlockedError):
        add(co, MILK)
    co.clear(None, "anna", "pin", approve=True)
    assert not co.blocked
    assert co.cart.lines[0].age_approved
    events = [e for e, _ in co.drain()]
    assert events == ["intervention", "intervention"]


def test_age_rejected_removes_the_item(co: Checkout) -> None:
    add(co, BEER)
    co.clear(None, "anna", "pin", approve=False)
    assert co.cart.empty


def test_remove_before_bagging_is_free_after_bagging_needs_attendant(co: Checkout) -> None:
    milk = add(co, MILK)
    co.remove_line(milk)
    assert co.cart.empty
    assert not co.blocked
    milk = add(co, MILK)
    co.on_weight(D(1040))
    co.remove_line(milk)
    assert co.blocked
    assert co.open_interventions[0].kind == "void_after_bagging"
    assert len(co.cart.lines) == 1
    co.clear(None, "anna", "badge")
    assert co.cart.empty
    kinds = [e for e, _ in co.drain()]
    assert "void" in kinds
    # the shopper takes the milk out of the bag: an expected removal, not an intervention
    assert co.on_weight(D(0)) == "removal_done"
    assert not co.blocked


def test_weight_mismatch_unexpected_and_removed_items(co: Checkout) -> None:
    add(co, MILK)
    assert co.on_weight(D(400)) == "mismatch"
    assert co.open_interventions[0].kind == "weight_mismatch"
    assert co.on_weight(D(0)) == "settled"  # item taken back out: clears itself
    assert not co.blocked
    co.on_weight(D(1040))
    assert co.on_weight(D(1540)) == "unexpected"
    co.clear(None, "anna", "remote")  # attendant accepts what is in the bag
    assert co.on_weight(D(500)) == "removed"
    assert co.open_interventions[0].kind == "removed_item"


def test_no_weight_check_items_skip_the_scale(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()  # nothing to bag
    assert co.phase == "paying"


def test_pay_needs_bagging_and_items(co: Checkout) -> None:
    with pytest.raises(CheckoutError):
        co.start_payment()
    add(co, MILK)
    with pytest.raises(CheckoutError) as err:
        co.start_payment()
    assert err.value.code == "needs_bagging"


def test_price_override_goes_through_an_attendant(co: Checkout) -> None:
    line = add(co, BREAD)
    co.request_price_override(line, D("5.00"))
    assert co.priced().total == D("12.00")
    co.clear(None, "anna", "pin")
    assert co.priced().total == D("5.00")


def test_repeated_failures_raise_an_intervention(co: Checkout) -> None:
    for _ in range(3):
        co.record_failure("unknown item")
    assert [i.kind for i in co.open_interventions] == ["repeated_failures"]


def test_cash_with_change_and_split_tender(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BAG)
    co.on_weight(D(400))
    co.start_payment()
    assert payflow.insert_cash(co, D(5)) == 0
    payflow.begin_attempt(co, "card", "r1")  # the 5.00 cash becomes a tender first
    payflow.attempt_result(co, "r1", "declined")
    payflow.begin_attempt(co, "card", "r2", amount=D("3.00"))
    payflow.attempt_result(co, "r2", "approved")
    assert payflow.insert_cash(co, D(10)) == D("5.50")
    payflow.settle_cash(co, dispensed=True)
    sale = co.complete()
    assert sale.change == D("5.50")
    assert [(t.method, t.amount) for t in sale.tenders] == [
        ("cash", D(5)),
        ("card", D(3)),
        ("cash", D(10)),
    ]


def test_change_not_dispensed_calls_attendant_then_completes(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    payflow.insert_cash(co, D(1))
    payflow.settle_cash(co, dispensed=False)
    assert co.open_interventions[0].kind == "cash_dispense"
    co.clear(None, "anna", "pin")
    assert payflow.fully_paid(co)
    assert co.complete().change == D("0.50")


def test_late_duplicate_approval_never_adds_a_second_tender(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    payflow.begin_attempt(co, "card", "r1")
    payflow.attempt_result(co, "r1", "approved")
    payflow.attempt_result(co, "r1", "approved")
    assert len(co.ledger.tenders) == 1


def test_member_coupon_points(co: Checkout) -> None:
    add(co, BREAD)
    co.on_weight(D(400))
    with pytest.raises(CheckoutError):
        co.redeem_points(100)
    co.attach_member("phone", "13800138000")
    assert co.priced().total == D("10.00")  # member price
    co.add_coupon("CP10-XYZ")
    assert co.priced().total == D("9.00")
    with pytest.raises(CheckoutError):
        co.redeem_points(501)  # offline limit
    co.redeem_points(200)
    co.start_payment()
    assert co.due() == D("7.00")
    payflow.begin_attempt(co, "card", "r1")
    payflow.attempt_result(co, "r1", "approved")
    sale = co.complete()
    assert sale.member is not None
    assert sale.model_dump()["member"] == {"phone": "13800138000"}
    assert [(t.method, t.amount) for t in sale.tenders] == [("points", D(2)), ("card", D(7))]
    with pytest.raises(CheckoutError):
        co.attach_member("phone", "12ab")


def test_bad_coupon_is_refused(co: Checkout) -> None:
    add(co, BAG)
    with pytest.raises(ItemRejected):
        co.add_coupon("NOPE")


def test_suspend_and_resume(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BAG)
    co.attach_member("card", "MC-1234")
    snapshot = co.suspend()
    assert co.phase == "idle"
    assert co.cart.empty
    co.resume(snapshot)
    assert co.phase == "scanning"
    assert [ln.sku for ln in co.cart.lines] == ["bread", "bag"]
    assert co.cart.member is not None
    assert co.cart.member.value == "MC-1234"
    with pytest.raises(UnknownCode):
        Checkout(demo_book(), Clock(), ids()).resume({"nonsense": 1})


def test_snapshot_round_trip_mid_payment(co: Checkout) -> None:
    add(co, BREAD)
    co.on_weight(D(400))
    co.start_payment()
    payflow.begin_attempt(co, "card", "r1")
    other = Checkout(demo_book(), Clock(), ids())
    other.restore(co.snapshot())
    assert other.phase == "paying"
    attempt = other.ledger.open_attempt()
    assert attempt is not None
    assert attempt.reference == "r1"
    assert other.cart.lines[0].bagged_qty == 1


def test_price_book_applies_at_cart_boundary(co: Checkout) -> None:
    add(co, BAG)
    newer = demo_book(version=2).model_copy(
        update={
            "products": [
                p.model_copy(update={"price": D("0.80")}) if p.sku == "bag" else p
                for p in demo_book().products
            ]
        }
    )
    assert co.offer_book(newer)
    assert co.priced().total == D("0.50")  # not mid-cart
    co.start_payment()
    payflow.insert_cash(co, D("0.5"))
    payflow.settle_cash(co, True)
    co.complete()
    co.finish()
    co.new_cart()
    add(co, BAG)
    assert co.priced().total == D("0.80")
    assert not co.offer_book(demo_book(version=1))


def test_lock_and_unlock(co: Checkout) -> None:
    co.lock()
    assert co.phase == "locked"
    with pytest.raises(CheckoutError):
        add(co, BAG)
    co.unlock()
    assert co.phase == "idle"


def test_void_cart_needs_attendant_after_bagging(co: Checkout) -> None:
    add(co, MILK)
    co.on_weight(D(1040))
    co.void_cart()
    assert co.blocked
    co.clear(None, "anna", "pin")
    assert co.cart.empty
    assert co.phase == "idle"
    assert co.clock() == NOW
