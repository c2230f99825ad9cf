"""From reorder suggestions to draft order lines, and the order's status rules. Pure.

A suggested quantity is raised to the supplier's minimum for the item, then up to whole
packs; lines are grouped by the supplier each product is bought from (cloud.suppliers:
preferred, else cheapest). Products no supplier sells are returned apart, not dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from cloud.suppliers.service import Offer

CENT = Decimal("0.01")
TRANSITIONS = {
    "draft": ("approved", "cancelled"),
    "approved": ("sent", "cancelled"),
    "sent": ("partially_received", "received", "cancelled"),
    "partially_received": ("partially_received", "received", "closed"),
    "received": ("closed",),
    "closed": (),
    "cancelled": (),
}
RECEIVABLE = ("sent", "partially_received")


@dataclass(frozen=True, slots=True)
class PlannedLine:
    product_id: int
    qty: Decimal
    unit_cost: Decimal
    pack_size: int
    supplier_sku: str


@dataclass
class Plan:
    by_supplier: dict[int, list[PlannedLine]]
    unsourced: list[int]


def round_order(qty: Decimal, pack_size: int, min_qty: Decimal) -> Decimal:
    """At least ``min_qty``, then up to a whole number of packs (0 stays 0)."""
    if qty <= 0:
        return Decimal(0)
    qty = max(qty, min_qty)
    packs = (qty / pack_size).to_integral_value(ROUND_CEILING)
    return packs * pack_size


def plan(suggested: Iterable[tuple[int, Decimal]], offers: dict[int, Offer]) -> Plan:
    out = Plan(by_supplier={}, unsourced=[])
    for product_id, qty in suggested:
        if qty <= 0:
            continue
        offer = offers.get(product_id)
        if offer is None:
            out.unsourced.append(product_id)
            continue
        line = PlannedLine(
            product_id=product_id,
            qty=round_order(qty, offer.pack_size, offer.min_qty),
            unit_cost=offer.unit_cost,
            pack_size=offer.pack_size,
            supplier_sku=offer.supplier_sku,
        )
        out.by_supplier.setdefault(offer.supplier_id, []).append(line)
    return out


def amount(qty: Decimal, unit_cost: Decimal) -> Decimal:
    return (qty * unit_cost).quantize(CENT, ROUND_HALF_UP)


def can_move(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, ())


def received_status(lines: Iterable[tuple[Decimal, Decimal]]) -> str:
    """``received`` when every line's (ordered, counted) has its ordered units counted (good
    or damaged), else ``partially_received``."""
    return (
        "received"
        if all(counted >= ordered for ordered, counted in lines)
        else "partially_received"
    )
