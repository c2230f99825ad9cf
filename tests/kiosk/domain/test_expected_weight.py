"""The bagging check's expected unit weight: catalogue, or the shelf's learned weight when
the catalogue has none or disagrees (issue 17)."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short literals

from contracts.pricebook import Product
from kiosk.domain.expected_weight import expected_weight


def _product(**fields: object) -> Product:
    return Product.model_validate({"sku": "s", "name": "n", "price": "1.00", **fields})


def test_the_catalogue_wins_while_the_shelf_agrees_with_it() -> None:
    p = _product(unit_weight_g="400", weight_tolerance_g="20", learned_weight_g="408")
    assert expected_weight(p) == (D("400"), D("20"))
    assert expected_weight(_product(unit_weight_g="400")) == (D("400"), D("10"))


def test_a_wrong_catalogue_weight_gives_way_to_the_learned_one() -> None:
    p = _product(
        unit_weight_g="400",
        weight_tolerance_g="20",
        learned_weight_g="452.5",
        learned_spread_g="9.0",
    )
    assert expected_weight(p) == (D("452.5"), D("27.0"))  # 3 learned spreads > 20 g


def test_the_learned_tolerance_is_never_tighter_than_the_catalogue() -> None:
    p = _product(
        unit_weight_g="400", weight_tolerance_g="20", learned_weight_g="452", learned_spread_g="2"
    )
    assert expected_weight(p) == (D("452"), D("20"))


def test_no_catalogue_weight_uses_the_learned_one_and_weighed_items_keep_theirs() -> None:
    p = _product(learned_weight_g="31.2", learned_spread_g="0.8")
    assert expected_weight(p) == (D("31.2"), D("10"))
    weighed = _product(weighed=True, learned_weight_g="500", learned_spread_g="40")
    assert expected_weight(weighed) == (None, D("10"))
