"""The checkout as plain dicts: a parked cart (挂单, suspend and resume) and the whole
machine, written by the shell after every change so a reboot resumes where it stopped.

Steps of a :class:`~kiosk.domain.checkout.Checkout`, returning a
:class:`~kiosk.domain.transitions.Change` for the machine to apply; pure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contracts.messages import SaleData
from kiosk.domain.cart import Cart
from kiosk.domain.interventions import Intervention
from kiosk.domain.payment import Ledger
from kiosk.domain.transitions import PHASES, Change, Phase
from kiosk.exceptions import ItemRejected, UnknownCode

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


def suspend(co: Checkout) -> tuple[dict[str, Any], Change]:
    """Park the cart (挂单); the shell stores the snapshot under a code for later."""
    co.guard("suspend")
    co.require_unpaid()
    snapshot = co.cart.to_dict()
    co.cart.lines.clear()
    return snapshot, Change(event="suspend")


def resume(co: Checkout, snapshot: dict[str, Any]) -> Change:
    """Bring a parked cart back, unless it holds products the price book no longer sells."""
    co.guard("resume")
    try:
        cart = Cart.from_dict(snapshot)
    except (KeyError, ValueError, TypeError) as exc:
        raise UnknownCode(f"suspended cart unreadable: {exc}") from exc
    unknown = [ln.sku for ln in cart.lines if co.catalog.by_sku(ln.sku) is None]
    if unknown:
        raise ItemRejected(f"no longer sold: {', '.join(unknown)}", "unknown_item")
    co.cart = cart
    return Change(event="resume") if cart.lines else Change()


def snapshot(co: Checkout) -> dict[str, Any]:
    """Everything :func:`restore` needs after a crash; the price book travels only as its
    version, which the shell uses to reload the book the open cart was priced with.
    """
    return {
        "phase": co.phase,
        "cart": co.cart.to_dict(),
        "ledger": co.ledger.to_dict(),
        "interventions": [i.to_dict() for i in co.interventions],
        "baseline_g": format(co.bagging.baseline_g, "f"),
        "pending_removal_g": format(co.bagging.pending_removal_g, "f"),
        "failures": co.failures,
        "lock_requested": co.lock_requested,
        "sale": co.sale.model_dump(mode="json") if co.sale else None,
        "book_version": co.book.version,
    }


def restore(co: Checkout, data: dict[str, Any]) -> Phase:
    """Put a saved checkout back; returns its phase, which the machine takes back as it was
    (a restart is no transition)."""
    phase: Phase = data["phase"]
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    co.cart = Cart.from_dict(data["cart"])
    co.ledger = Ledger.from_dict(data["ledger"])
    co.interventions = [Intervention.from_dict(i) for i in data.get("interventions", [])]
    co.bagging.baseline_g = Decimal(data.get("baseline_g", "0"))
    co.bagging.pending_removal_g = Decimal(data.get("pending_removal_g", "0"))
    co.failures = int(data.get("failures", 0))
    co.lock_requested = bool(data.get("lock_requested", False))
    sale = data.get("sale")
    co.sale = SaleData.model_validate(sale) if sale else None
    return phase
