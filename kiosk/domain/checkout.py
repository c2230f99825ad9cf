"""The checkout state machine: idle → scanning → paying → receipt → done, plus interventions.

Pure: the clock and the id source are injected; side effects leave as ``outgoing`` events
(void, intervention) and as a completed :class:`SaleData` that the shell writes, prints and
publishes. An open intervention blocks every shopper action until it is cleared.

This class owns the state, the phases and the cart boundary; the steps live beside it as
functions on a checkout, each module one seam: :mod:`~kiosk.domain.item_entry`,
:mod:`~kiosk.domain.cart_edits`, :mod:`~kiosk.domain.loyalty`,
:mod:`~kiosk.domain.payflow`, :mod:`~kiosk.domain.intervention_flow`,
:mod:`~kiosk.domain.snapshots` and :mod:`~kiosk.domain.sale`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from contracts.messages import Payload, SaleData
from contracts.pricebook import PriceBook
from contracts.pricing import price_basket
from contracts.pricing_model import BasketLine, PricedBasket
from kiosk.domain import cart_edits, intervention_flow, item_entry, loyalty, snapshots
from kiosk.domain.bagging import BaggingState
from kiosk.domain.cart import Cart, CartLine
from kiosk.domain.catalog import Catalog
from kiosk.domain.interventions import ClearMethod, Intervention, InterventionKind
from kiosk.domain.item_entry import ItemInput
from kiosk.domain.payments import Ledger
from kiosk.domain.sale import build_sale
from kiosk.exceptions import BlockedError, CheckoutError

__all__ = ["Checkout", "CheckoutSettings", "ItemInput", "Phase"]

Phase = Literal["idle", "scanning", "paying", "receipt", "done", "locked"]


@dataclass(frozen=True)
class CheckoutSettings:
    max_failures: int = 3
    weight_check: bool = True
    noise_g: Decimal = Decimal(5)


class Checkout:
    """One kiosk's checkout. Not thread-safe: the shell serialises calls behind one lock."""

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

    # Queries ------------------------------------------------------------------------

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

    # Guards, shared by the step modules ---------------------------------------------

    def require(self, *phases: Phase) -> None:
        """Shopper actions wait for an attendant and only run in the given phases."""
        if self.blocked:
            raise BlockedError("waiting for an attendant")
        if self.phase not in phases:
            raise CheckoutError(f"not allowed while {self.phase}", f"not_in_{self.phase}")

    def require_unpaid(self) -> None:
        """Once a tender is in, the cart and what it costs are frozen."""
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")

    def record_failure(self, reason: str) -> None:
        """Unknown codes, declines, bad PINs: too many in a row call an attendant."""
        self.failures += 1
        if self.failures >= self.settings.max_failures and not self.blocked:
            self.failures = 0
            self.raise_intervention("repeated_failures", reason, {})

    # Cart boundary ------------------------------------------------------------------

    def offer_book(self, book: PriceBook) -> bool:
        """A newer price book applies now if no cart is open, else at the next boundary.

        Any book replaces an empty placeholder (no products) whatever its version.
        """
        newest = max(self.book.version, self.pending_book.version if self.pending_book else 0)
        if self.book.products and book.version <= newest:
            return False
        if self.phase in ("idle", "done", "locked") and self.cart.empty:
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

    def new_cart(self) -> None:
        """Start over after a sale (or a void); applies a waiting price book."""
        if self.phase in ("scanning", "paying") and not self.cart.empty:
            raise CheckoutError("a cart is open", "cart_open")
        self.reset()

    def reset(self) -> None:
        """The next cart, unchecked (callers check the phase); open interventions stay."""
        if self.pending_book is not None:
            self._apply_book(self.pending_book)
        self.cart = Cart(cart_id=self.new_id(), started_at=self.clock())
        self.ledger = Ledger()
        self.interventions = [i for i in self.interventions if i.open]
        self.sale = None
        self.failures = 0
        self.bagging.pending_removal_g = Decimal(0)
        self.phase = "locked" if self.lock_requested else "idle"

    # Shopper actions (item_entry, cart_edits, loyalty) ------------------------------

    def add_item(self, item: ItemInput) -> CartLine:
        return item_entry.add_item(self, item)

    def set_qty(self, line_id: str, qty: Decimal) -> None:
        cart_edits.set_qty(self, line_id, qty)

    def remove_line(self, line_id: str) -> None:
        cart_edits.remove_line(self, line_id)

    def void_cart(self, approved_by: str | None = None) -> None:
        cart_edits.void_cart(self, approved_by)

    def request_price_override(self, line_id: str, unit_price: Decimal) -> None:
        cart_edits.request_price_override(self, line_id, unit_price)

    def attach_member(self, kind: Literal["phone", "card"], value: str) -> None:
        loyalty.attach_member(self, kind, value)

    def add_coupon(self, code: str) -> None:
        loyalty.add_coupon(self, code)

    def redeem_points(self, points: int) -> None:
        loyalty.redeem_points(self, points)

    # Payment (the tender steps live in payflow) -------------------------------------

    def start_payment(self) -> PricedBasket:
        self.require("scanning")
        if self.cart.empty:
            raise CheckoutError("the cart is empty", "empty_cart")
        if any(ln.needs_bagging for ln in self.cart.lines):
            raise CheckoutError("place every item in the bagging area", "needs_bagging")
        priced = self.priced()
        self.phase = "paying"
        return priced

    def cancel_payment(self) -> None:
        self.require("paying")
        self.require_unpaid()
        self.phase = "scanning"

    def complete(self) -> SaleData:
        """Every tender is in: freeze the sale. The shell writes it with its outbox row."""
        priced = self.priced()
        self.sale = build_sale(self.cart, self.ledger, priced, self.book.version, self.clock())
        self.phase = "receipt"
        return self.sale

    def finish(self) -> None:
        """The shopper took the receipt: show the goodbye screen until the next touch."""
        if self.phase == "receipt":
            self.phase = "done"

    # Scale and interventions (intervention_flow) ------------------------------------

    def on_weight(self, grams: Decimal) -> str:
        return intervention_flow.on_weight(self, grams)

    def raise_intervention(
        self, kind: InterventionKind, detail: str, action: dict[str, Any]
    ) -> Intervention:
        return intervention_flow.raise_intervention(self, kind, detail, action)

    def clear(
        self, intervention_id: str | None, by: str, method: ClearMethod, approve: bool = True
    ) -> list[Intervention]:
        return intervention_flow.clear(self, intervention_id, by, method, approve)

    # Lock ---------------------------------------------------------------------------

    def lock(self) -> None:
        self.lock_requested = True
        if self.phase in ("idle", "done") and not self.blocked:
            self.reset()

    def unlock(self) -> None:
        self.lock_requested = False
        if self.phase == "locked":
            self.phase = "idle"

    # Suspend, resume and crash recovery (snapshots) ---------------------------------

    def suspend(self) -> dict[str, Any]:
        return snapshots.suspend(self)

    def resume(self, snapshot: dict[str, Any]) -> None:
        snapshots.resume(self, snapshot)

    def snapshot(self) -> dict[str, Any]:
        return snapshots.snapshot(self)

    def restore(self, data: dict[str, Any]) -> None:
        snapshots.restore(self, data)
