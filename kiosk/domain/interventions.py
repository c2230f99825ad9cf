"""Attendant interventions: what raised them, what approving them does, who cleared them.

An open intervention blocks the shopper. ``action`` says what an approval changes (remove a
line, apply a price override, accept the scale's weight), so the same clear path serves a
PIN on the screen, a badge, and a remote ``clear_intervention`` command. The bagging scale
raises weight interventions and clears them itself once the weight is right again. Every
change leaves as an ``intervention`` event. The steps here are pure, like the other steps of
a :class:`~kiosk.domain.checkout.Checkout`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from contracts.messages import InterventionData, InterventionKind
from kiosk.domain import cart_edits, payment
from kiosk.domain.bagging import accept_current, judge
from kiosk.domain.transitions import AttendantCall, Change

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout

ClearMethod = Literal["pin", "badge", "remote", "scale"]

WEIGHT_KINDS: frozenset[str] = frozenset({"weight_mismatch", "unexpected_item", "removed_item"})
"""Scale interventions clear themselves when the bagging area returns to the expected weight."""


@dataclass
class Intervention:
    intervention_id: str
    kind: InterventionKind
    raised_at: datetime
    detail: str = ""
    action: dict[str, Any] = field(default_factory=dict)
    cleared_at: datetime | None = None
    cleared_by: str | None = None
    method: ClearMethod | None = None
    approved: bool | None = None

    @property
    def open(self) -> bool:
        return self.cleared_at is None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat()
        data["cleared_at"] = self.cleared_at.isoformat() if self.cleared_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intervention:
        cleared = data.get("cleared_at")
        return cls(
            intervention_id=data["intervention_id"],
            kind=data["kind"],
            raised_at=datetime.fromisoformat(data["raised_at"]),
            detail=data.get("detail", ""),
            action=dict(data.get("action", {})),
            cleared_at=datetime.fromisoformat(cleared) if cleared else None,
            cleared_by=data.get("cleared_by"),
            method=data.get("method"),
            approved=data.get("approved"),
        )


WEIGHT_CALLS: dict[str, InterventionKind] = {
    "mismatch": "weight_mismatch",
    "unexpected": "unexpected_item",
    "removed": "removed_item",
}
"""The bagging check's verdicts that call an attendant, and the intervention each raises."""


def weigh(co: Checkout, grams: Decimal, after_sale: bool) -> tuple[str, Change]:
    """A new stable weight in the bagging area: the verdict (for logs and the screen) and what
    it changes. Weight interventions clear themselves when the bag is right again."""
    open_weight = [i for i in co.open_interventions if i.kind in WEIGHT_KINDS]
    outcome = judge(co.bagging, co.cart, grams)
    if outcome.verdict in ("settled", "bagged", "removal_done"):
        return outcome.verdict, Change(closes=tuple(i.intervention_id for i in open_weight))
    if open_weight:
        return "still_wrong", Change()
    if after_sale and outcome.verdict == "removed":
        co.bagging.baseline_g = grams
        return "taken_away", Change()
    call = AttendantCall(
        WEIGHT_CALLS[outcome.verdict], outcome.detail, {"op": "weight", "grams": format(grams, "f")}
    )
    return outcome.verdict, Change(calls=(call,))


def approve(co: Checkout, item: Intervention, by: str, approved: bool) -> Change:
    """What the attendant's answer does to the cart: the intervention's ``action``."""
    op = item.action.get("op")
    line = co.cart.line(str(item.action.get("line_id", "")))
    if op == "age" and line is not None:
        if approved:
            line.age_approved = True
            return Change()
        return cart_edits.drop_line(co, line, Decimal(0), approved_by=by)
    if op == "qty" and line is not None and approved:
        change = cart_edits.drop_line(co, line, Decimal(item.action["qty"]), approved_by=by)
        emptied = co.cart.empty and co.can("emptied")
        return Change(event="emptied", emit=change.emit) if emptied else change
    if op == "price" and line is not None and approved:
        line.price_override = Decimal(item.action["price"])
    elif op == "void_cart" and approved:
        return cart_edits.void_cart(co, approved_by=by)
    elif op == "weight":
        accept_current(co.bagging, co.cart, Decimal(item.action["grams"]))
    elif op == "change" and approved:
        return payment.settle_cash(co.ledger, dispensed=True)
    return Change()


def intervention_event(item: Intervention, cart_id: str) -> InterventionData:
    """The payload for the cloud; the scale clearing itself is not an attendant's method."""
    return InterventionData(
        intervention_id=item.intervention_id,
        kind=item.kind,
        state="raised" if item.open else "cleared",
        detail=item.detail[:200],
        cart_id=cart_id,
        cleared_by=item.cleared_by,
        method=None if item.method in (None, "scale") else item.method,
        approved=item.approved,
    )
