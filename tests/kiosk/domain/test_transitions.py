"""The transition table drives the checkout: a hypothesis state machine runs every event's
command in any order and checks each phase change against ``TRANSITIONS``.

Properties: the phase only moves along edges of the table, chained from where it was; a
command whose event the table does not allow in the current phase is refused and moves
nothing; a shopper command is refused while an intervention is open; the states the table
implies hold (a sale on screen only after payment, locked only when asked and between carts).
A scripted walk takes every edge of the table once, so no entry is dead.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.domain.checkout import Checkout
from kiosk.domain.item_entry import ItemInput
from kiosk.domain.transitions import (
    AFTER_SALE,
    EVENTS,
    PHASES,
    SHOPPER,
    TRANSITIONS,
    Event,
    Phase,
    Transition,
)
from kiosk.exceptions import KioskError
from tests.kiosk.books import APPLES, BAG, BEER, BREAD, MILK, Clock, demo_book, ids

GTINS = [BAG, BAG, BAG, MILK, BREAD, BEER, APPLES]
"""Mostly the bag, which needs no bagging: carts reach payment often."""
WEIGHTS = {MILK: D(1040), BREAD: D(400), BEER: D(540), BAG: D(0)}
EDITS = ["qty", "remove", "price"]
TENDERS = ["cash", "approved", "declined", "pending"]
REQUESTS = frozenset({"finish", "lock", "unlock"})
"""Taken when the table allows, ignored otherwise (never refused). ``emptied`` comes only
from an attendant's approval (the ``attendant`` rule); a parked empty cart resumes in idle."""
INSTEAD: dict[str, str] = {"void": "edit"}
"""A void after bagging asks an attendant instead: an ``edit`` that raises the intervention."""


def product_input(co: Checkout, gtin: str) -> ItemInput:
    product = co.catalog.by_gtin(gtin)
    assert product is not None
    return ItemInput(product, weight_kg=D("0.750") if product.weighed else None)


def check_moves(before: Phase, moves: list[Transition], after: Phase) -> None:
    """Each move is an edge of the table, and they chain from ``before`` to ``after``."""
    phase = before
    for move in moves:
        assert move.before == phase, moves
        assert TRANSITIONS.get((move.before, move.event)) == move.after, move
        phase = move.after
    assert phase == after, (before, moves, after)


class TableDriven(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.co = Checkout(demo_book(), Clock(), ids())
        self.parked: list[dict[str, Any]] = []
        self.refs = 0
        self.bag_g = D(0)

    @initialize(start=st.sampled_from(PHASES))
    def start_in(self, start: Phase) -> None:
        """Begin anywhere in the table: each example starts in a phase picked evenly."""
        co = self.co
        if start == "locked":
            co.lock()
        elif start != "idle":
            co.add_item(product_input(co, BAG))
        if start in ("paying", "receipt", "done"):
            co.start_payment()
        if start in ("receipt", "done"):
            self.pay_the_rest()
        if start == "done":
            co.finish()
        co.drain_moves()
        assert co.phase == start

    def run(self, event: Event, command: Callable[[], object], *, next_cart: bool = False) -> None:
        """Run the command that names ``event``; ``next_cart``: it may first start the next
        cart after a sale (scan, resume)."""
        co = self.co
        before, blocked = co.phase, co.blocked
        co.drain_moves()
        refused: KioskError | None = None
        try:
            command()
        except KioskError as exc:
            refused = exc
        moves = co.drain_moves()
        check_moves(before, moves, co.phase)
        starts_over = next_cart and before in AFTER_SALE and not blocked
        if not starts_over and (before, event) not in TRANSITIONS:
            assert refused is not None, (before, event, moves)
            assert moves == [], (before, event, moves)
        if event in SHOPPER and blocked and not starts_over:
            assert refused is not None, (event, moves)
            assert moves == [], (event, moves)
        stays = event in REQUESTS or (event == "resume" and co.cart.empty)
        if refused is None and (before, event) in TRANSITIONS and not stays:
            taken = [m.event for m in moves]
            assert event in taken or INSTEAD.get(event) in taken, (event, moves)

    # The table's events, allowed or not in the current phase ---------------------------

    @rule(data=st.data())
    def allowed(self, data: st.DataObject) -> None:
        self.take_an_allowed_event(data)

    @rule(data=st.data())
    def allowed_again(self, data: st.DataObject) -> None:
        """Hypothesis picks rules evenly; walking deep into the table (paying, receipt) needs
        more allowed events than refused ones."""
        self.take_an_allowed_event(data)

    def take_an_allowed_event(self, data: st.DataObject) -> None:
        """An event the table allows here: its command runs and moves along that edge."""
        events = sorted(e for (p, e) in TRANSITIONS if p == self.co.phase and e != "emptied")
        event = data.draw(st.sampled_from(events))
        self.run(event, self.command(event, data), next_cart=event in ("scan", "resume"))

    @rule(data=st.data())
    def forbidden(self, data: st.DataObject) -> None:
        """An event the table does not allow here: refused, nothing moves."""
        here = {e for (p, e) in TRANSITIONS if p == self.co.phase}
        events = sorted(set(EVENTS) - here - REQUESTS - {"emptied"})
        event = data.draw(st.sampled_from(events))
        self.run(event, self.command(event, data), next_cart=event in ("scan", "resume"))

    def command(self, event: Event, data: st.DataObject) -> Callable[[], object]:
        """The checkout command that names ``event``, with drawn arguments."""
        co = self.co
        simple: dict[str, Callable[[], object]] = {
            "member": lambda: co.attach_member("phone", "13800138000"),
            "pay": co.start_payment,
            "back": co.cancel_payment,
            "finish": co.finish,
            "void": co.void_cart,
            "next_cart": co.new_cart,
            "unlock": co.unlock,
            "lock": co.lock,
            "paid": self.pay_the_rest,
        }
        if event in simple:
            return simple[event]
        if event == "scan":
            gtin = data.draw(st.sampled_from(GTINS))
            return lambda: co.add_item(product_input(co, gtin))
        if event == "edit":
            return self.edit(data.draw(st.integers(0, 5)), data.draw(st.sampled_from(EDITS)))
        if event == "coupon":
            code = data.draw(st.sampled_from(["CP10-1", "NOPE"]))
            return lambda: co.add_coupon(code)
        if event == "points":
            points = data.draw(st.integers(0, 600))
            return lambda: co.redeem_points(points)
        if event == "tender":
            return self.tender(data.draw(st.sampled_from(TENDERS)), data.draw(st.integers(1, 50)))
        if event == "suspend":
            return lambda: self.parked.append(co.suspend())
        assert event == "resume", event
        snapshot = self.parked.pop() if self.parked else {"cart_id": "x", "started_at": "?"}
        return lambda: co.resume(snapshot)

    def edit(self, index: int, how: str) -> Callable[[], object]:
        lines = self.co.cart.lines
        line_id = lines[index % len(lines)].line_id if lines else "L99"
        return {
            "qty": lambda: self.co.set_qty(line_id, D(index % 3)),
            "remove": lambda: self.co.remove_line(line_id),
            "price": lambda: self.co.request_price_override(line_id, D("1.00")),
        }[how]

    def tender(self, how: str, note: int) -> Callable[[], object]:
        if how == "cash":
            return lambda: self.co.insert_cash(D(note))
        self.refs += 1
        ref = f"r{self.refs}"

        def attempt() -> None:
            self.co.begin_attempt("card", ref)
            if how != "pending":
                self.co.attempt_result(ref, how)  # type: ignore[arg-type]

        return attempt

    def pay_the_rest(self) -> None:
        """The shopper pays what is due in cash, then the checkout completes (as the shell
        does, only once fully paid)."""
        co = self.co
        attempt = co.ledger.open_attempt()
        if attempt is not None:
            co.attempt_result(attempt.reference, "approved")
        if co.due() > 0:
            co.insert_cash(co.due())
        if co.ledger.cash_in > 0:
            co.settle_cash(dispensed=True)
        if not co.fully_paid():
            raise KioskError("not paid", "not_paid")
        co.complete()

    # What moves the checkout from outside: the scale, the attendant, failures ----------

    @rule(right=st.sampled_from([True, True, True, False]))
    def weight(self, right: bool) -> None:
        pending = sum(
            (WEIGHTS.get(ln.gtin, D(750)) * (ln.qty - ln.bagged_qty) for ln in self.co.cart.lines),
            D(0),
        )
        self.bag_g = self.bag_g + pending if right else self.bag_g + D(333)
        before = self.co.phase
        self.co.drain_moves()
        self.co.on_weight(self.bag_g)
        check_moves(before, self.co.drain_moves(), self.co.phase)

    @rule(approve=st.booleans())
    def attendant(self, approve: bool) -> None:
        if self.co.blocked:
            before = self.co.phase
            self.co.drain_moves()
            self.co.clear(None, "anna", "pin", approve)
            check_moves(before, self.co.drain_moves(), self.co.phase)

    @rule()
    def failure(self) -> None:
        self.co.record_failure("unknown item")

    # What the table implies ------------------------------------------------------------

    @invariant()
    def phases_mean_what_they_say(self) -> None:
        co = self.co
        assert co.phase in PHASES
        assert (co.sale is not None) == (co.phase in AFTER_SALE)
        assert (co.phase == "locked") <= (co.lock_requested and co.cart.empty)
        assert (co.phase == "paying") <= (not co.cart.empty)
        assert co.ledger.paid() >= 0


TableDriven.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_table_drives_the_checkout = pytest.mark.slow(TableDriven.TestCase)  # ~10 s


def test_a_scripted_walk_takes_every_edge_of_the_table() -> None:
    co = Checkout(demo_book(), Clock(), ids())
    bag = product_input(co, BAG)
    milk = product_input(co, MILK)
    parked: list[dict[str, Any]] = []

    def pay_cash() -> None:
        co.start_payment()
        co.insert_cash(D(1))
        co.settle_cash(dispensed=True)
        co.complete()

    steps: list[Callable[[], object]] = [
        lambda: co.attach_member("card", "MC-1"),  # idle member
        lambda: co.void_cart(),  # idle void
        lambda: co.new_cart(),  # idle next_cart
        lambda: co.add_item(bag),  # idle scan
        lambda: co.add_item(bag),  # scanning scan
        lambda: co.set_qty(co.cart.lines[0].line_id, D(1)),  # edit
        lambda: co.attach_member("card", "MC-1"),
        lambda: co.add_coupon("CP10-1"),
        lambda: co.redeem_points(1),
        lambda: co.start_payment(),  # pay
        lambda: co.attach_member("card", "MC-1"),
        lambda: co.add_coupon("CP10-1"),
        lambda: co.redeem_points(1),
        lambda: co.cancel_payment(),  # back
        lambda: co.start_payment(),
        lambda: co.void_cart(),  # paying void
        lambda: co.add_item(bag),
        lambda: co.void_cart(),  # scanning void
        lambda: co.add_item(bag),
        lambda: co.remove_line(co.cart.lines[0].line_id),
        lambda: co.new_cart(),  # scanning next_cart (empty)
        lambda: co.add_item(bag),
        lambda: parked.append(co.suspend()),  # suspend
        lambda: co.resume(parked.pop()),  # resume
        pay_cash,  # tender, paid
        lambda: co.new_cart(),  # receipt next_cart
        lambda: co.add_item(bag),
        pay_cash,
        lambda: co.finish(),  # finish
        lambda: co.new_cart(),  # done next_cart
        lambda: co.lock(),  # idle lock (through next_cart)
        lambda: co.void_cart(),  # locked void, locks again
        lambda: co.new_cart(),  # locked next_cart, locks again
        lambda: co.unlock(),  # unlock
        lambda: co.add_item(milk),
        lambda: co.on_weight(D(1040)),
        lambda: co.remove_line(co.cart.lines[0].line_id),
        lambda: co.clear(None, "anna", "pin"),  # emptied
    ]
    for step in steps:
        step()
    assert {(m.before, m.event) for m in co.drain_moves()} == set(TRANSITIONS)


def test_only_the_machine_sets_the_phase() -> None:
    """No step, shell or screen module assigns ``.phase``: the table is the only way."""
    kiosk = Path(__file__).resolve().parents[3] / "kiosk"
    setters = []
    for path in kiosk.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr == "phase":
                    setters.append(f"{path.relative_to(kiosk)}:{node.lineno}")
    assert {s.split(":")[0] for s in setters} == {"domain/machine.py", "domain/checkout.py"}
    assert len(setters) == 3, setters  # initial phase, _fire, restore
