"""The checkout state machine: the phases of :mod:`~kiosk.domain.transitions` applied to one
cart, its ledger and its interventions.

Pure: the clock and the id source are injected; side effects leave as ``outgoing`` events
(void, intervention) and as a completed :class:`SaleData` that the shell writes, prints and
publishes. An open intervention blocks every shopper step until it is cleared.

Each command runs one step (:mod:`~kiosk.domain.item_entry`, :mod:`~kiosk.domain.cart_edits`,
:mod:`~kiosk.domain.members`, :mod:`~kiosk.domain.payment`, :mod:`~kiosk.domain.snapshots`,
:mod:`~kiosk.domain.sale`, :mod:`~kiosk.domain.interventions`). A step edits the cart or the
ledger and returns a :class:`~kiosk.domain.transitions.Change`; the machine (the base
:class:`~kiosk.domain.machine.Machine`) applies it, taking the transition from the table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from contracts.messages import SaleData
from contracts.pricing_model import PricedBasket
from kiosk.domain import cart_edits, interventions, item_entry, members, payment, snapshots
from kiosk.domain.cart import CartLine
from kiosk.domain.interventions import ClearMethod, Intervention
from kiosk.domain.item_entry import ItemInput
from kiosk.domain.machine import CheckoutSettings, Machine
from kiosk.domain.payment import AttemptMethod, AttemptStatus, MobileMode, PaymentAttempt
from kiosk.domain.sale import complete
from kiosk.domain.transitions import AFTER_SALE, LOCK_NOW, OPEN_CART, SCALE_OFF, Phase
from kiosk.exceptions import CheckoutError, UnknownCode

__all__ = ["Checkout", "CheckoutSettings", "ItemInput", "Phase"]


class Checkout(Machine):
    """One kiosk's checkout. Not thread-safe: the shell serialises calls behind one lock."""

    # The cart (item_entry, cart_edits) ------------------------------------------------

    def add_item(self, item: ItemInput) -> CartLine:
        """A scan after the last sale starts the next shopper's cart."""
        self._next_cart_after_sale()
        return self._take(*item_entry.add_item(self, item))

    def set_qty(self, line_id: str, qty: Decimal) -> None:
        self._apply(cart_edits.set_qty(self, line_id, qty))

    def remove_line(self, line_id: str) -> None:
        self._apply(cart_edits.remove_line(self, line_id))

    def void_cart(self, approved_by: str | None = None) -> None:
        self._apply(cart_edits.void_cart(self, approved_by))

    def request_price_override(self, line_id: str, unit_price: Decimal) -> None:
        self._apply(cart_edits.request_price_override(self, line_id, unit_price))

    def new_cart(self) -> None:
        """Start over after a sale (or on an empty cart); applies a waiting price book."""
        if self.phase in OPEN_CART and not self.cart.empty:
            raise CheckoutError("a cart is open", "cart_open")
        self._fire("next_cart")

    # Members (members) ------------------------------------------------------------------

    def attach_member(self, kind: Literal["phone", "card"], value: str) -> None:
        self._apply(members.attach_member(self, kind, value))

    def add_coupon(self, code: str) -> None:
        self._apply(members.add_coupon(self, code))

    def redeem_points(self, points: int) -> None:
        self._apply(members.redeem_points(self, points))

    # Payment (payment, sale) ----------------------------------------------------------

    def start_payment(self) -> PricedBasket:
        return self._take(*payment.start(self))

    def cancel_payment(self) -> None:
        self._apply(payment.back(self))

    def begin_attempt(
        self,
        method: AttemptMethod,
        reference: str,
        amount: Decimal | None = None,
        mode: MobileMode | None = None,
        payment_code: str | None = None,
        wallet: str | None = None,
    ) -> PaymentAttempt:
        """Record an attempt; the shell persists it before the payment adapter is asked."""
        step = payment.begin_attempt(self, method, reference, amount, mode, payment_code, wallet)
        return self._take(*step)

    def attempt_result(
        self,
        reference: str,
        status: AttemptStatus,
        auth_code: str | None = None,
        message: str = "",
        provider: str = "",
    ) -> PaymentAttempt:
        return self._take(
            *payment.attempt_result(self.ledger, reference, status, auth_code, message, provider)
        )

    def void_attempt(self, reference: str, message: str) -> PaymentAttempt:
        """An approved charge the kiosk undid with the provider: no longer a tender."""
        return self._take(*payment.void_attempt(self.ledger, reference, message))

    def insert_cash(self, amount: Decimal) -> Decimal:
        """A note or coin went in; the change now owed (0 until the total is covered)."""
        return self._take(*payment.insert_cash(self, amount))

    def settle_cash(self, dispensed: bool) -> None:
        self._apply(payment.settle_cash(self.ledger, dispensed))

    def fully_paid(self) -> bool:
        """Nothing owed, no cash waiting for change, no attempt in flight."""
        return (
            self.can("paid")
            and not self.blocked
            and self.ledger.open_attempt() is None
            and self.ledger.change_due == 0
            and self.ledger.cash_in == 0
            and self.due() <= 0
        )

    def complete(self) -> SaleData:
        """Every tender is in: freeze the sale. The shell writes it with its outbox row."""
        self.sale = self._take(*complete(self))
        return self.sale

    def finish(self) -> None:
        """The shopper took the receipt: show the goodbye screen until the next touch."""
        if self.can("finish"):
            self._fire("finish")

    # Bagging scale and attendants (interventions) ---------------------------------------

    def on_weight(self, grams: Decimal) -> str:
        """A new stable weight in the bagging area; the verdict, for logs and the screen."""
        if not self.settings.weight_check or self.phase in SCALE_OFF:
            return "ignore"
        verdict, change = interventions.weigh(self, grams, after_sale=self.phase in AFTER_SALE)
        self._apply(change)
        return verdict

    def clear(
        self, intervention_id: str | None, by: str, method: ClearMethod, approve: bool = True
    ) -> list[Intervention]:
        """Clear one intervention (or all open ones when ``intervention_id`` is None)."""
        targets = [
            i
            for i in self.open_interventions
            if intervention_id is None or i.intervention_id == intervention_id
        ]
        if not targets:
            raise UnknownCode(f"no open intervention {intervention_id}")
        for item in targets:
            self._apply(interventions.approve(self, item, by, approve))
            self._close(item, by, method, approve)
        return targets

    # Lock ------------------------------------------------------------------------------

    def lock(self) -> None:
        """Locks now between carts, else when the open cart ends."""
        self.lock_requested = True
        if self.phase in LOCK_NOW and not self.blocked:
            self._fire("next_cart")

    def unlock(self) -> None:
        self.lock_requested = False
        if self.can("unlock"):
            self._fire("unlock")

    # Suspend, resume and crash recovery (snapshots) -------------------------------------

    def suspend(self) -> dict[str, Any]:
        return self._take(*snapshots.suspend(self))

    def resume(self, snapshot: dict[str, Any]) -> None:
        self._next_cart_after_sale()
        self._apply(snapshots.resume(self, snapshot))

    def snapshot(self) -> dict[str, Any]:
        return snapshots.snapshot(self)

    def restore(self, data: dict[str, Any]) -> None:
        self.phase = snapshots.restore(self, data)

    def _next_cart_after_sale(self) -> None:
        if self.phase in AFTER_SALE and not self.blocked:
            self._fire("next_cart")
