"""Raising and clearing interventions on a checkout: by shopper actions, by the bagging
scale (weight interventions clear themselves once the weight is right again) and by an
attendant, whose approval applies the intervention's ``action``. Every change leaves as an
``intervention`` event.

Functions on a :class:`~kiosk.domain.checkout.Checkout`, like :mod:`kiosk.domain.payflow`,
so the state machine stays short; pure too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contracts.messages import InterventionData
from kiosk.domain import cart_edits, payflow
from kiosk.domain.bagging import accept_current, judge
from kiosk.domain.interventions import WEIGHT_KINDS, ClearMethod, Intervention, InterventionKind
from kiosk.exceptions import UnknownCode

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


def raise_intervention(
    co: Checkout, kind: InterventionKind, detail: str, action: dict[str, Any]
) -> Intervention:
    item = Intervention(co.new_id(), kind, co.clock(), detail, action)
    co.interventions.append(item)
    co.outgoing.append(("intervention", intervention_event(item, co.cart.cart_id)))
    return item


def clear(
    co: Checkout,
    intervention_id: str | None,
    by: str,
    method: ClearMethod,
    approve: bool = True,
) -> list[Intervention]:
    """Clear one intervention (or all open ones when ``intervention_id`` is None)."""
    targets = [
        i
        for i in co.open_interventions
        if intervention_id is None or i.intervention_id == intervention_id
    ]
    if not targets:
        raise UnknownCode(f"no open intervention {intervention_id}")
    for item in targets:
        _apply(co, item, by, approve)
        _close(co, item, by, method, approve)
    return targets


def on_weight(co: Checkout, grams: Decimal) -> str:
    """A new stable weight in the bagging area; returns the verdict for logs and UI."""
    if not co.settings.weight_check or co.phase in ("locked",):
        return "ignore"
    open_weight = [i for i in co.open_interventions if i.kind in WEIGHT_KINDS]
    outcome = judge(co.bagging, co.cart, grams)
    if outcome.verdict in ("settled", "bagged", "removal_done"):
        for item in open_weight:
            _close(co, item, "scale", "scale", approved=True)
        return outcome.verdict
    if open_weight:
        return "still_wrong"
    kind: InterventionKind = {
        "mismatch": "weight_mismatch",
        "unexpected": "unexpected_item",
        "removed": "removed_item",
    }[outcome.verdict]  # type: ignore[assignment]
    if co.phase in ("receipt", "done") and outcome.verdict == "removed":
        co.bagging.baseline_g = grams
        return "taken_away"
    raise_intervention(co, kind, outcome.detail, {"op": "weight", "grams": format(grams, "f")})
    return outcome.verdict


def intervention_event(item: Intervention, cart_id: str) -> InterventionData:
    """The payload for the cloud; the scale clearing itself is not an attendant's method."""
    return InterventionData(
        intervention_id=item.intervention_id,
        kind=item.kind,
        state="raised" if item.open else "cleared",
        detail=item.detail[:200],
        cart_id=cart_id,
        cleared_by=item.cleared_by,
        method=None if item.method in (None, "scale") else item.method,  # type: ignore[arg-type]
        approved=item.approved,
    )


def _apply(co: Checkout, item: Intervention, by: str, approve: bool) -> None:
    op = item.action.get("op")
    line = co.cart.line(str(item.action.get("line_id", "")))
    if op == "age" and line is not None:
        if approve:
            line.age_approved = True
        else:
            cart_edits.drop_line(co, line, Decimal(0), approved_by=by)
    elif op == "qty" and line is not None and approve:
        cart_edits.drop_line(co, line, Decimal(item.action["qty"]), approved_by=by)
        if co.cart.empty and co.phase == "scanning":
            co.phase = "idle"
    elif op == "price" and line is not None and approve:
        line.price_override = Decimal(item.action["price"])
    elif op == "void_cart" and approve:
        cart_edits.void_cart(co, approved_by=by)
    elif op == "weight":
        accept_current(co.bagging, co.cart, Decimal(item.action["grams"]))
    elif op == "change" and approve:
        payflow.change_paid_by_attendant(co)


def _close(co: Checkout, item: Intervention, by: str, method: ClearMethod, approved: bool) -> None:
    item.cleared_at = co.clock()
    item.cleared_by = by
    item.method = method
    item.approved = approved
    co.outgoing.append(("intervention", intervention_event(item, co.cart.cart_id)))
