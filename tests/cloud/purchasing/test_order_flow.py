"""Acceptance on SQLite and PostgreSQL: reorder suggestion → order → approval limit → partial
receipt → the rest received, with stock, moving-average cost and on-order right at each
step; an over-delivery needs a reason; a cancelled order releases its on-order quantity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cloud.auth.models import Role
from cloud.exceptions import InvalidTransitionError
from cloud.finance import service as finance
from cloud.finance.costing import walk
from cloud.forecast import service as forecast
from cloud.inventory import service as inventory
from cloud.purchasing.exceptions import ApprovalLimitError, ReasonRequiredError
from cloud.purchasing.service import limits, orders, receiving
from cloud.purchasing.service.receiving import Count
from tests.cloud.purchasing.conftest import NOW, Shop


def _state(shop: Shop) -> tuple[Decimal, Decimal | None, Decimal]:
    """(on hand, moving-average cost, on order) of milk in the store."""
    s, sid, pid = shop.session, shop.store.id, shop.milk.id
    costs = walk(finance.ledger(s, sid, NOW + timedelta(days=30))).states.get(f"p{pid}")
    average = (
        None
        if costs is None or costs.average is None
        else costs.average.quantize(Decimal("0.0001"))
    )
    return (
        inventory.on_hand(s, sid, pid),
        average,
        forecast.on_order(s, sid).get(pid, Decimal(0)),
    )


def _suggested(shop: Shop) -> Decimal:
    rep = forecast.reorder_report(shop.session, shop.store.id, NOW.date())
    return next(Decimal(str(r[7])) for r in rep.rows if r[0] == "MILK-1")


def test_suggestion_to_received(shop: Shop) -> None:
    s = shop.session
    inventory.move(
        s,
        store_id=shop.store.id,
        product_id=shop.milk.id,
        kind="receiving",
        qty=Decimal(10),
        now=NOW - timedelta(days=1),
        unit_cost=Decimal("5.00"),
    )
    suggested = _suggested(shop)
    assert suggested > 0
    made = orders.from_reorder(s, shop.store, now=NOW, by="manager_a")
    assert made.unsourced == []
    assert len(made.orders) == 1
    po = made.orders[0]
    (line,) = orders.lines(s, po)
    assert line.qty_ordered % 12 == 0
    assert suggested <= line.qty_ordered < suggested + 12
    assert po.total == line.qty_ordered * Decimal(6)
    assert po.expected_on == NOW.date() + timedelta(days=2)
    ordered = line.qty_ordered
    assert _state(shop) == (Decimal(10), Decimal("5.0000"), ordered)
    # the draft already counts: asking again suggests nothing more for milk
    assert _suggested(shop) == 0
    assert orders.from_reorder(s, shop.store, now=NOW, by="manager_a").orders == []

    limits.save(s, po.total - 1, now=NOW, by="hq")
    with pytest.raises(ApprovalLimitError):
        orders.approve(s, po, role=Role.MANAGER, by="manager_a", now=NOW)
    orders.approve(s, po, role=Role.HQ, by="hq", now=NOW)
    orders.mark_sent(s, po, shop.store, NOW)
    assert po.status == "sent"

    with pytest.raises(ReasonRequiredError):
        receiving.receive(s, po, [Count(1, ordered + 1)], by="staff_a", now=NOW)
    receiving.receive(s, po, [Count(1, Decimal(12))], by="staff_a", now=NOW)
    assert po.status == "partially_received"
    average = ((10 * Decimal(5) + 12 * Decimal(6)) / 22).quantize(Decimal("0.0001"))
    assert _state(shop) == (Decimal(22), average, ordered - 12)

    rest = ordered - 12
    receiving.receive(
        s, po, [Count(1, rest + 2, reason="two extra sent, kept")], by="staff_a", now=NOW
    )
    assert po.status == "received"
    stock = 22 + rest + 2
    average = ((10 * Decimal(5) + (ordered + 2) * Decimal(6)) / stock).quantize(Decimal("0.0001"))
    assert _state(shop) == (stock, average, Decimal(0))
    s.commit()


def test_damaged_units_need_a_reason_and_are_not_stocked(shop: Shop) -> None:
    s = shop.session
    po = orders.create(
        s, shop.store, shop.dairy, [orders.LineIn(shop.milk.id, Decimal(24))], now=NOW, by="m"
    )
    orders.approve(s, po, role=Role.MANAGER, by="m", now=NOW)
    orders.mark_sent(s, po, shop.store, NOW)
    with pytest.raises(ReasonRequiredError):
        receiving.receive(s, po, [Count(1, Decimal(20), Decimal(4))], by="s", now=NOW)
    receiving.receive(s, po, [Count(1, Decimal(20), Decimal(4), "crushed")], by="s", now=NOW)
    assert po.status == "received"
    assert _state(shop) == (Decimal(20), Decimal("6.0000"), Decimal(0))


def test_cancel_releases_on_order(shop: Shop) -> None:
    s = shop.session
    po = orders.create(
        s, shop.store, shop.dairy, [orders.LineIn(shop.milk.id, Decimal(36))], now=NOW, by="m"
    )
    assert _state(shop)[2] == Decimal(36)
    orders.approve(s, po, role=Role.MANAGER, by="m", now=NOW)
    orders.cancel(s, po, NOW)
    assert po.status == "cancelled"
    assert _state(shop) == (Decimal(0), None, Decimal(0))
    with pytest.raises(InvalidTransitionError):
        receiving.receive(s, po, [Count(1, Decimal(1))], by="s", now=NOW)


def test_close_after_short_delivery_releases_the_rest(shop: Shop) -> None:
    s = shop.session
    po = orders.create(
        s, shop.store, shop.dairy, [orders.LineIn(shop.milk.id, Decimal(36))], now=NOW, by="m"
    )
    orders.approve(s, po, role=Role.MANAGER, by="m", now=NOW)
    orders.mark_sent(s, po, shop.store, NOW)
    receiving.receive(s, po, [Count(1, Decimal(30))], by="s", now=NOW)
    assert _state(shop)[2] == Decimal(6)
    orders.close(s, po, NOW)
    assert _state(shop) == (Decimal(30), Decimal("6.0000"), Decimal(0))


def test_below_the_supplier_minimum_is_not_approved(shop: Shop) -> None:
    s = shop.session
    po = orders.create(
        s, shop.store, shop.dairy, [orders.LineIn(shop.milk.id, Decimal(6))], now=NOW, by="m"
    )
    with pytest.raises(Exception, match="minimum order"):
        orders.approve(s, po, role=Role.MANAGER, by="m", now=NOW)
