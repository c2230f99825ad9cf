"""What a stored promotion rule is: one of the contract's rule types (``contracts.pricebook``).

Promotions validate every write with it; the price book builder parses the stored rules
with it when it builds a store's book.
"""

from __future__ import annotations

from pydantic import TypeAdapter

from contracts import pricebook as pb

PromotionRule = (
    pb.PercentOff | pb.AmountOff | pb.BuyXGetY | pb.SpendXSaveY | pb.BundlePrice | pb.GiftItem
)
_PROMOTION: TypeAdapter[PromotionRule] = TypeAdapter(pb.Promotion)


def validate_rule(rule: dict[str, object]) -> PromotionRule:
    """A stored promotion rule must parse as one of the contract's rule types."""
    return _PROMOTION.validate_python(rule)
