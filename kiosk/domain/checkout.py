"""The checkout state machine: idle → scanning → paying → receipt → done, plus interventions.

Pure: the clock and the id source are injected; side effects leave as ``outgoing`` events
(void, intervention) and as a completed :class:`SaleData` that the shell writes, prints and
publishes. An open intervention blocks every shopper action until it is cleared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from contracts.messages import InterventionData, Payload, SaleData, Tender, VoidData
from contracts.pricebook import PriceBook, Product
from contracts.pricing import price_basket
from contracts.pricing_model import BasketLine, PricedBasket
from kiosk.domain import payflow
from kiosk.domain.bagging import BaggingState, accept_current, judge
from kiosk.domain.cart import Cart, CartLine, Member
from kiosk.domain.catalog import Catalog
from kiosk.domain.interventions import WEIGHT_KINDS, ClearMethod, Intervention, InterventionKind
from kiosk.domain.payments import Ledger
from kiosk.exceptions import BlockedError, CheckoutError, ItemRejected, UnknownCode

Phase = Literal["idle", "scanning", "paying", "receipt", "done", "locked"]
PHONE_RE = re.compile(r"^\+?\d{5,20}$")
CARD_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")


@dataclass(frozen=True)
class CheckoutSettings:
    max_failures: int = 3
    weight_check: bool = True
    noise_g: Decimal = Decimal(5)


@dataclass(frozen=True)
class ItemInput:
    """What the scanner or the manual entry found: a product plus GS1 extras, if any."""

    product: Product
    gtin: str | None = None
    weight_kg: Decimal | None = None
    price: Decimal | None = None
    expiry: date | None = None


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
        self._reset()

    def _reset(self) -> None:
        if self.pending_book is not None:
            self._apply_book(self.pending_book)
        self.cart = Cart(cart_id=self.new_id(), started_at=self.clock())
        self.ledger = Ledger()
        self.interventions = [i for i in self.interventions if i.open]
        self.sale = None
        self.failures = 0
        self.bagging.pending_removal_g = Decimal(0)
        self.phase = "locked" if self.lock_requested else "idle"

    # Shopper actions ----------------------------------------------------------------

    def _require(self, *phases: Phase) -> None:
        if self.blocked:
            raise BlockedError("waiting for an attendant")
        if self.phase not in phases:
            raise CheckoutError(f"not allowed while {self.phase}", f"not_in_{self.phase}")

    def add_item(self, item: ItemInput) -> CartLine:
        if self.phase in ("receipt", "done") and not self.blocked:
            self._reset()
        self._require("idle", "scanning")
        product = item.product
        today = self.clock().date()
        if item.expiry is not None and item.expiry < today:
            self.record_failure("expired")
            raise ItemRejected(f"{product.name} expired on {item.expiry}", "expired")
        qty, override = Decimal(1), None
        if item.price is not None:
            # a price-embedded label: one unit at the printed price, weighed item or not
            if item.price < 0:
                raise ItemRejected(f"{product.name}: bad label price", "bad_label")
            override = item.price
        elif product.weighed:
            if item.weight_kg is None or item.weight_kg <= 0:
                raise ItemRejected(f"{product.name} must be weighed first", "needs_weight")
            qty = item.weight_kg
        line = (
            None
            if (product.weighed or override is not None)
            else self.cart.find_mergeable(product.sku)
        )
        if line is not None:
            line.qty += 1
        else:
            line = CartLine(
                line_id=self.cart.new_line_id(),
                sku=product.sku,
                gtin=item.gtin or (product.gtins[0] if product.gtins else "0" * 14),
                name=product.name,
                name_zh=product.name_zh,
                qty=qty,
                weighed=product.weighed,
                unit_weight_g=product.unit_weight_g,
                tolerance_g=product.weight_tolerance_g or Decimal(10),
                check_weight=self.settings.weight_check and not product.no_weight_check,
                price_override=override,
                min_age=product.min_age,
            )
            if line.unit_grams is None or (product.weighed and override is not None):
                line.check_weight = False  # a priced label on a weighed item says no weight
            self.cart.lines.append(line)
        self.failures = 0
        self.phase = "scanning"
        if product.min_age and not line.age_approved:
            self.raise_intervention(
                "age_restricted",
                f"{product.name}: {product.min_age}+",
                {"op": "age", "line_id": line.line_id},
            )
        return line

    def set_qty(self, line_id: str, qty: Decimal) -> None:
        self._require("scanning")
        line = self._line(line_id)
        if line.weighed or line.price_override is not None:
            raise CheckoutError("weighed or priced items have a fixed quantity", "fixed_qty")
        if qty != qty.to_integral_value() or qty < 0 or qty > 999:
            raise CheckoutError("quantity must be a whole number 0–999", "bad_qty")
        if qty == 0:
            self.remove_line(line_id)
            return
        if qty < line.bagged_qty:
            self.raise_intervention(
                "void_after_bagging",
                f"{line.name}: {line.qty} → {qty}",
                {"op": "qty", "line_id": line_id, "qty": format(qty, "f")},
            )
            return
        line.qty = qty

    def remove_line(self, line_id: str) -> None:
        self._require("scanning")
        line = self._line(line_id)
        if line.any_bagged:
            self.raise_intervention(
                "void_after_bagging", line.name, {"op": "qty", "line_id": line_id, "qty": "0"}
            )
            return
        self._drop(line, Decimal(0), approved_by=None)

    def _drop(self, line: CartLine, new_qty: Decimal, approved_by: str | None) -> None:
        removed = line.qty - new_qty
        if line.any_bagged and line.unit_grams is not None and line.check_weight:
            bagged_removed = max(Decimal(0), line.bagged_qty - new_qty)
            self.bagging.pending_removal_g += bagged_removed * line.unit_grams
            line.bagged_qty = min(line.bagged_qty, new_qty)
        if new_qty == 0:
            self.cart.lines.remove(line)
        else:
            line.qty = new_qty
        if approved_by is not None:
            self.outgoing.append(
                (
                    "void",
                    VoidData(
                        cart_id=self.cart.cart_id,
                        reason="line removed after bagging",
                        lines=[],
                        amount=Decimal(0),
                        approved_by=approved_by,
                        sku=line.sku,
                        qty=format(removed, "f"),
                    ),
                )
            )

    def void_cart(self, approved_by: str | None = None) -> None:
        """Cancel the whole cart; needs an attendant once anything was bagged."""
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        if any(ln.any_bagged for ln in self.cart.lines) and approved_by is None:
            self._require("scanning")
            self.raise_intervention("void_after_bagging", "whole cart", {"op": "void_cart"})
            return
        if not self.cart.empty:
            self.outgoing.append(
                (
                    "void",
                    VoidData(
                        cart_id=self.cart.cart_id,
                        reason="cart cancelled",
                        amount=self.priced().total,
                        approved_by=approved_by,
                    ),
                )
            )
        for line in list(self.cart.lines):
            self._drop(line, Decimal(0), approved_by=None)
        self._reset()

    def attach_member(self, kind: Literal["phone", "card"], value: str) -> None:
        self._require("idle", "scanning", "paying")
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        value = value.strip().replace(" ", "")
        pattern = PHONE_RE if kind == "phone" else CARD_RE
        if not pattern.match(value):
            raise CheckoutError(f"not a valid member {kind}", "bad_member")
        self.cart.member = Member(kind, value)

    def add_coupon(self, code: str) -> None:
        self._require("scanning", "paying")
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        code = code.strip()
        if not any(code.startswith(rule.prefix) for rule in self.book.coupons):
            self.record_failure("coupon")
            raise ItemRejected("unknown coupon", "bad_coupon")
        if code not in self.cart.coupons:
            self.cart.coupons.append(code)

    def redeem_points(self, points: int) -> None:
        """Points are a tender; offline the kiosk honours at most the policy's limit."""
        self._require("scanning", "paying")
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        if self.cart.member is None:
            raise CheckoutError("attach a member first", "needs_member")
        balance = self.cart.member.balance  # known when the cloud answered the lookup
        limit = self.book.points.offline_redeem_limit if balance is None else balance
        if points < 0 or points > limit:
            if balance is None:
                raise CheckoutError(f"at most {limit} points offline", "points_limit")
            raise CheckoutError(f"at most {limit} points (balance)", "points_balance")
        self.cart.points = points

    def request_price_override(self, line_id: str, unit_price: Decimal) -> None:
        self._require("scanning")
        line = self._line(line_id)
        if unit_price < 0:
            raise CheckoutError("price cannot be negative", "bad_price")
        self.raise_intervention(
            "price_override",
            f"{line.name} → {unit_price}",
            {"op": "price", "line_id": line_id, "price": format(unit_price, "f")},
        )

    def record_failure(self, reason: str) -> None:
        """Unknown codes, declines, bad PINs: too many in a row call an attendant."""
        self.failures += 1
        if self.failures >= self.settings.max_failures and not self.blocked:
            self.failures = 0
            self.raise_intervention("repeated_failures", reason, {})

    # Payment (the flow itself lives in payflow to keep this class readable) ---------

    def start_payment(self) -> PricedBasket:
        self._require("scanning")
        if self.cart.empty:
            raise CheckoutError("the cart is empty", "empty_cart")
        if any(ln.needs_bagging for ln in self.cart.lines):
            raise CheckoutError("place every item in the bagging area", "needs_bagging")
        priced = self.priced()
        self.phase = "paying"
        return priced

    def cancel_payment(self) -> None:
        self._require("paying")
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        self.phase = "scanning"

    def complete(self) -> SaleData:
        """Every tender is in: freeze the sale. The shell writes it with its outbox row."""
        priced = self.priced()
        tenders = [
            Tender(method=t.method, amount=t.amount, reference=t.reference)
            for t in self.ledger.tenders
        ]
        if priced.points_value > 0:
            tenders.insert(
                0,
                Tender(
                    method="points",
                    amount=priced.points_value,
                    reference=str(priced.points_redeemed),
                ),
            )
        self.sale = SaleData(
            sale_id=self.cart.cart_id,
            completed_at=self.clock(),
            currency=priced.currency,
            member=self.cart.member.as_payload() if self.cart.member else None,  # type: ignore[arg-type]
            lines=priced.sale_lines(),
            subtotal=priced.subtotal,
            discount_total=priced.discount_total,
            tax_total=priced.tax_total,
            total=priced.total,
            tenders=tenders,
            change=self.ledger.change,
            tax_inclusive=priced.tax_inclusive,
            points_redeemed=priced.points_redeemed,
            coupons=list(priced.coupons_applied),
            pricebook_version=self.book.version,
            member_tier=self.cart.member.tier if self.cart.member else None,
        )
        self.phase = "receipt"
        return self.sale

    def finish(self) -> None:
        """The shopper took the receipt: show the goodbye screen until the next touch."""
        if self.phase == "receipt":
            self.phase = "done"

    # Scale --------------------------------------------------------------------------

    def on_weight(self, grams: Decimal) -> str:
        """A new stable weight in the bagging area; returns the verdict for logs and UI."""
        if not self.settings.weight_check or self.phase in ("locked",):
            return "ignore"
        open_weight = [i for i in self.open_interventions if i.kind in WEIGHT_KINDS]
        outcome = judge(self.bagging, self.cart, grams)
        if outcome.verdict in ("settled", "bagged", "removal_done"):
            for item in open_weight:
                self._close(item, "scale", "scale", approved=True)
            return outcome.verdict
        if open_weight:
            return "still_wrong"
        kind: InterventionKind = {
            "mismatch": "weight_mismatch",
            "unexpected": "unexpected_item",
            "removed": "removed_item",
        }[outcome.verdict]  # type: ignore[assignment]
        if self.phase in ("receipt", "done") and outcome.verdict == "removed":
            self.bagging.baseline_g = grams
            return "taken_away"
        self.raise_intervention(kind, outcome.detail, {"op": "weight", "grams": format(grams, "f")})
        return outcome.verdict

    # Interventions ------------------------------------------------------------------

    def raise_intervention(
        self, kind: InterventionKind, detail: str, action: dict[str, Any]
    ) -> Intervention:
        item = Intervention(self.new_id(), kind, self.clock(), detail, action)
        self.interventions.append(item)
        self.outgoing.append(("intervention", self._intervention_data(item)))
        return item

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
            self._apply(item, by, approve)
            self._close(item, by, method, approve)
        return targets

    def _apply(self, item: Intervention, by: str, approve: bool) -> None:
        op = item.action.get("op")
        line = self.cart.line(str(item.action.get("line_id", "")))
        if op == "age" and line is not None:
            if approve:
                line.age_approved = True
            else:
                self._drop(line, Decimal(0), approved_by=by)
        elif op == "qty" and line is not None and approve:
            self._drop(line, Decimal(item.action["qty"]), approved_by=by)
            if self.cart.empty and self.phase == "scanning":
                self.phase = "idle"
        elif op == "price" and line is not None and approve:
            line.price_override = Decimal(item.action["price"])
        elif op == "void_cart" and approve:
            self.void_cart(approved_by=by)
        elif op == "weight":
            accept_current(self.bagging, self.cart, Decimal(item.action["grams"]))
        elif op == "change" and approve:
            payflow.change_paid_by_attendant(self)

    def _close(self, item: Intervention, by: str, method: ClearMethod, approved: bool) -> None:
        item.cleared_at = self.clock()
        item.cleared_by = by
        item.method = method
        item.approved = approved
        self.outgoing.append(("intervention", self._intervention_data(item)))

    def _intervention_data(self, item: Intervention) -> InterventionData:
        return InterventionData(
            intervention_id=item.intervention_id,
            kind=item.kind,
            state="raised" if item.open else "cleared",
            detail=item.detail[:200],
            cart_id=self.cart.cart_id,
            cleared_by=item.cleared_by,
            method=None if item.method in (None, "scale") else item.method,  # type: ignore[arg-type]
            approved=item.approved,
        )

    # Lock ---------------------------------------------------------------------------

    def lock(self) -> None:
        self.lock_requested = True
        if self.phase in ("idle", "done") and not self.blocked:
            self._reset()

    def unlock(self) -> None:
        self.lock_requested = False
        if self.phase == "locked":
            self.phase = "idle"

    # Suspend and resume ------------------------------------------------------------

    def suspend(self) -> dict[str, Any]:
        """Park the cart (挂单); the shell stores the snapshot under a code for later."""
        self._require("scanning")
        if self.ledger.started:
            raise CheckoutError("payment started", "payment_started")
        snapshot = self.cart.to_dict()
        self.cart.lines.clear()
        self._reset()
        return snapshot

    def resume(self, snapshot: dict[str, Any]) -> None:
        if self.phase in ("receipt", "done") and not self.blocked:
            self._reset()
        self._require("idle")
        try:
            cart = Cart.from_dict(snapshot)
        except (KeyError, ValueError, TypeError) as exc:
            raise UnknownCode(f"suspended cart unreadable: {exc}") from exc
        unknown = [ln.sku for ln in cart.lines if self.catalog.by_sku(ln.sku) is None]
        if unknown:
            raise ItemRejected(f"no longer sold: {', '.join(unknown)}", "unknown_item")
        self.cart = cart
        self.phase = "scanning" if cart.lines else "idle"

    # Snapshot of the whole machine (crash recovery) --------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "cart": self.cart.to_dict(),
            "ledger": self.ledger.to_dict(),
            "interventions": [i.to_dict() for i in self.interventions],
            "baseline_g": format(self.bagging.baseline_g, "f"),
            "pending_removal_g": format(self.bagging.pending_removal_g, "f"),
            "failures": self.failures,
            "lock_requested": self.lock_requested,
            "sale": self.sale.model_dump(mode="json") if self.sale else None,
            "book_version": self.book.version,
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.phase = data["phase"]
        self.cart = Cart.from_dict(data["cart"])
        self.ledger = Ledger.from_dict(data["ledger"])
        self.interventions = [Intervention.from_dict(i) for i in data.get("interventions", [])]
        self.bagging.baseline_g = Decimal(data.get("baseline_g", "0"))
        self.bagging.pending_removal_g = Decimal(data.get("pending_removal_g", "0"))
        self.failures = int(data.get("failures", 0))
        self.lock_requested = bool(data.get("lock_requested", False))
        sale = data.get("sale")
        self.sale = SaleData.model_validate(sale) if sale else None

    def _line(self, line_id: str) -> CartLine:
        line = self.cart.line(line_id)
        if line is None:
            raise UnknownCode(f"no line {line_id}")
        return line
