"""Z report totals: per tender, change, counts (hypothesis over random sales)."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import SaleData
from kiosk.domain.zreport import build_zreport
from tests.kiosk.books import NOW


def sale(i: int, total_cents: int, cash: bool) -> SaleData:
    total = D(total_cents) / 100
    paid = (total + D(5)) if cash else total
    return SaleData.model_validate(
        {
            "sale_id": f"s{i}",
            "completed_at": NOW.isoformat(),
            "currency": "CNY",
            "lines": [
                {
                    "gtin": "0" * 14,
                    "name": "x",
                    "qty": "1",
                    "unit_price": str(total),
                    "amount": str(total),
                }
            ],
            "subtotal": str(total),
            "discount_total": "0",
            "tax_total": "0",
            "total": str(total),
            "tenders": [{"method": "cash" if cash else "card", "amount": str(paid)}],
            "change": str(paid - total),
        }
    )


@given(st.lists(st.tuples(st.integers(1, 100000), st.booleans()), max_size=30))
def test_totals_balance(specs: list[tuple[int, bool]]) -> None:
    sales = [sale(i, c, cash) for i, (c, cash) in enumerate(specs)]
    z = build_zreport(1, NOW.date(), NOW, NOW, sales, voids_count=2)
    assert z.sales_count == len(sales)
    tendered = sum((t.amount for t in z.tenders), D(0))
    assert tendered - z.change == z.total
    assert z.cash_expected == sum(
        (s.tenders[0].amount - s.change for s in sales if s.tenders[0].method == "cash"), D(0)
    )
    assert z.sale_ids == [s.sale_id for s in sales]
