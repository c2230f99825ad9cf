"""Interventions: raised by items and the scale, cleared by attendants or by the scale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from kiosk.domain.checkout import Checkout
from kiosk.domain.interventions import Intervention, intervention_event
from kiosk.exceptions import BlockedError, UnknownCode
from tests.kiosk.books import BEER, MILK, NOW
from tests.kiosk.domain.shopper import add


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


def test_clearing_one_by_id_leaves_the_others(co: Checkout) -> None:
    add(co, BEER)
    other = co.raise_intervention("other", "call from the shelf", {})
    age = co.open_interventions[0]
    assert [i.kind for i in co.clear(age.intervention_id, "anna", "badge")] == ["age_restricted"]
    assert co.open_interventions == [other]
    co.clear(None, "anna", "remote")
    assert not co.blocked
    with pytest.raises(UnknownCode):
        co.clear(None, "anna", "remote")


def test_taking_the_bags_after_the_receipt_is_no_intervention(co: Checkout) -> None:
    add(co, MILK)
    co.on_weight(D(1040))
    co.start_payment()
    co.begin_attempt("card", "r1")
    co.attempt_result("r1", "approved")
    co.complete()
    assert co.on_weight(D(0)) == "taken_away"
    assert not co.blocked
    assert co.on_weight(D(0)) == "settled"


def test_intervention_event_hides_the_scale_as_a_method() -> None:
    item = Intervention("i1", "weight_mismatch", NOW, "x" * 300, {"op": "weight"})
    raised = intervention_event(item, "cart-1")
    assert (raised.state, raised.cart_id, raised.method) == ("raised", "cart-1", None)
    assert len(raised.detail) == 200
    item.cleared_at, item.cleared_by, item.method = NOW + timedelta(seconds=5), "scale", "scale"
    item.approved = True
    cleared = intervention_event(item, "cart-1")
    assert (cleared.state, cleared.cleared_by, cleared.method) == ("cleared", "scale", None)
    item.method = "pin"
    assert intervention_event(item, "cart-1").method == "pin"
