"""What the bagging scale should see for one unit of a product: the catalogue's weight, or
the weight the store's shelves learned when the catalogue has none or is wrong (issue 17).

The shelf counts every single unit it sees picked, so its mean and spread come from the
very items on sale; a catalogue figure typed from the wrong pack size kept raising bagging
interventions on every sale. Pure.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.pricebook import Product

DEFAULT_TOLERANCE_G = Decimal(10)
"""Per-unit bagging tolerance when the catalogue gives none."""

LEARNED_SIGMAS = Decimal(3)
"""A learned weight's tolerance covers this many of its spreads (99.7 % of single units)."""


def expected_weight(product: Product) -> tuple[Decimal | None, Decimal]:
    """``(unit weight, per-unit tolerance)`` the bagging check uses.

    The catalogue wins while it agrees with the learned weight within its tolerance; when
    it has no weight or disagrees, the learned weight is used with a tolerance that is never
    tighter than the catalogue's and covers 3 learned spreads. Weighed items keep their
    own (kilogram) weights."""
    tolerance = product.weight_tolerance_g or DEFAULT_TOLERANCE_G
    learned = product.learned_weight_g
    catalogue = product.unit_weight_g
    if learned is None or product.weighed:
        return catalogue, tolerance
    if catalogue is not None and abs(catalogue - learned) <= tolerance:
        return catalogue, tolerance
    spread = product.learned_spread_g or Decimal(0)
    return learned, max(tolerance, LEARNED_SIGMAS * spread)
