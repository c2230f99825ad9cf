"""The state and the engine of the checkout: what one cart holds, the guards a step checks,
and :meth:`Machine._apply`, which turns a step's :class:`~kiosk.domain.transitions.Change`
into a transition of the table, events, failures and interventions. Pure.

The commands (scan, pay, clear…) are :class:`~kiosk.domain.checkout.Checkout`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from contracts.messages import InterventionKind, Payload, SaleData
from contracts.pricebook import PriceBook
from contracts.pricing import price_basket
from contracts.pricing_model import BasketLine, PricedBasket
from kiosk.domain.bagging import BaggingState
from kiosk.domain.cart import Cart
from kiosk.domain.catalog import Catalog
from kiosk.domain.interventions import ClearMethod, Intervention, intervention_event
from kiosk.domain.payment import Ledger
from kiosk.domain.transitions import (
    BOUNDARY,
    NEXT_CART,
    SHOPPER,
    Change,
    Event,
    Phase,
    Transition,
    target,
)
from kiosk.exceptions import BlockedError, CheckoutError

T = TypeVar("T")


@dataclass(frozen=True)
class CheckoutSettings:
    max_failures: int = 3
    weight_check: bool = True
    noise_g: Decimal = Decimal(5)


class Machine:
    """One cart's state and the rules that move it. Not thread-safe (the shell locks)."""

    def __init__(
        self,
        book: PriceBook,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        settings: CheckoutSettings | None = None,
    ) -> None:
        self.clock = clock
        self.new_id = new_id
        self.settings = settings or CheckoutSettings()
        self.book = book
        self.catalog = Catalog(book)
        self.pending_book: PriceBook | None = None
        self.phase: Phase = "idle"
        self.cart = Cart(cart_id=new_id(), started_at=clock())
        self.ledger = Ledger()
        self.interventions: list[Intervention] = []
        self.bagging = BaggingState(noise_g=self.settings.noise_g)
        self.failures = 0
        self.sale: SaleData | None = None
        self.lock_requested = False
        self.outgoing: list[tuple[str, Payload]] = []
        self.moves: list[Transition] = []
        """Transitions taken since the shell last drained them (it logs the phase changes)."""

    # Queries --------------------------------------------------------------------------

    @property
    def open_interventions(self) -> list[Intervention]:
        return [i for i in self.interventions if i.open]

    @property
    def blocked(self) -> bool:
        return bool(self.open_interventions)

    def priced(self) -> PricedBasket:
        lines = [
            BasketLine(ln.line_id, ln.sku, ln.qty, gtin=ln.gtin, price_override=ln.price_override)
            for ln in self.cart.lines
        ]
        return price_basket(
            self.book,
            lines,
            at=self.clock(),
            member=self.cart.member is not None,
            coupons=list(self.cart.coupons),
            points=self.cart.points,
            tier=self.cart.member.tier if self.cart.member else None,
        )

    def due(self) -> Decimal:
        """Money still owed (points already counted as a tender); ≤ 0 once paid."""
        return self.ledger.remaining(self.priced().due)

    def drain(self) -> list[tuple[str, Payload]]:
        out, self.outgoing = self.outgoing, []
        return out

    def drain_moves(self) -> list[Transition]:
        out, self.moves = self.moves, []
        return out

    # Guards, for the steps --------------------------------------------------------------

    def can(self, event: Event) -> bool:
        """The table allows ``event`` in the current phase."""
        return target(self.phase, event) is not None

    def guard(self, event: Event) -> None:
        """Shopper steps wait for an attendant; every step runs only where the table has it."""
        if event in SHOPPER and self.blocked:
            raise BlockedError("waiting for an attendant")
        if not self.can(event):
            raise CheckoutError(f"not allowed while {self.phase}", f"not_in_{self.phase}")

    def require_unpaid(self) -> None:
        """Once a tender is in, the cart and what it costs are frozen."""
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")

    # Applying a step ------------------------------------------------------------------

    def _apply(self, change: Change) -> None:
        self.outgoing.extend(change.emit)
        if change.event is not None:
            self._fire(change.event)
        if change.success:
            self.failures = 0
        if change.failure is not None:
            self.record_failure(change.failure)
        for call in change.calls:
            self.raise_intervention(call.kind, call.detail, call.action)
        for item in self.open_interventions:
            if item.intervention_id in change.closes:
                self._close(item, "scale", "scale", approved=True)
        if change.refuse is not None:
            raise change.refuse

    def _take(self, value: T | None, change: Change) -> T:
        """Apply a step that also answers a value (absent only when the step refused)."""
        self._apply(change)
        if value is None:
            raise CheckoutError("the step gave no answer", "internal")
        return value

    def _fire(self, event: Event) -> None:
        """Take the table's transition; an event that closes the cart starts the next one."""
        after = target(self.phase, event)
        if after is None:
            raise CheckoutError(f"not allowed while {self.phase}", f"not_in_{self.phase}")
        self.moves.append(Transition(self.phase, event, after))
        self.phase = after
        if event in NEXT_CART:
            self._start_next_cart()
            if self.lock_requested:
                self._fire("lock")

    def _start_next_cart(self) -> None:
        """The next cart (open interventions stay); a waiting price book applies now."""
        if self.pending_book is not None:
            self._apply_book(self.pending_book)
        self.cart = Cart(cart_id=self.new_id(), started_at=self.clock())
        self.ledger = Ledger()
        self.interventions = [i for i in self.interventions if i.open]
        self.sale = None
        self.failures = 0
        self.bagging.pending_removal_g = Decimal(0)

    # Failures and interventions ---------------------------------------------------------

    def record_failure(self, reason: str) -> None:
        """Unknown codes, declines, bad PINs: too many in a row call an attendant."""
        self.failures += 1
        if self.failures >= self.settings.max_failures and not self.blocked:
            self.failures = 0
            self.raise_intervention("repeated_failures", reason, {})

    def raise_intervention(
        self, kind: InterventionKind, detail: str, action: dict[str, Any]
    ) -> Intervention:
        item = Intervention(self.new_id(), kind, self.clock(), detail, action)
        self.interventions.append(item)
        self.outgoing.append(("intervention", intervention_event(item, self.cart.cart_id)))
        return item

    def _close(self, item: Intervention, by: str, method: ClearMethod, approved: bool) -> None:
        item.cleared_at = self.clock()
        item.cleared_by = by
        item.method = method
        item.approved = approved
        self.outgoing.append(("intervention", intervention_event(item, self.cart.cart_id)))

    # Price book at the cart boundary ------------------------------------------------------

    def offer_book(self, book: PriceBook) -> bool:
        """A newer price book applies now if no cart is open, else at the next boundary.

        Any book replaces an empty placeholder (no products) whatever its version.
        """
        newest = max(self.book.version, self.pending_book.version if self.pending_book else 0)
        if self.book.products and book.version <= newest:
            return False
        if self.phase in BOUNDARY and self.cart.empty:
            self._apply_book(book)
        else:
            self.pending_book = book
        return True

    def keep_book_for_open_cart(self, book: PriceBook) -> bool:
        """After a restart mid-cart: price the open cart with the (older) book it started
        with; the newer one waits for the next boundary, as it would have without the restart.
        """
        if book.version >= self.book.version or self.cart.empty:
            return False
        newer = self.book
        self._apply_book(book)
        self.pending_book = newer
        return True

    def _apply_book(self, book: PriceBook) -> None:
        self.book = book
        self.catalog = Catalog(book)
        self.pending_book = None
