"""Z report totals: per tender, change, refunds, counts (hypothesis over random sales)."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import SaleData
from kiosk.domain.zreport import PaidReturn, build_zreport
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


def test_day_with_cash_and_card_refunds_nets_the_cash_refund_to_the_cent() -> None:
    sales = [sale(1, 1234, cash=True), sale(2, 899, cash=True)]  # 17.34 + 13.99 in, 10.00 out
    returns = [
        PaidReturn("R-1", (("cash", D("8.99")),)),
        PaidReturn("R-2", (("card", D("3.00")), ("card", D("4.50")))),  # two card tenders
    ]
    z = build_zreport(2, NOW.date(), NOW, NOW, sales, returns=returns)
    assert z.cash_expected == D("12.34")  # 31.33 cash in - 10.00 change - 8.99 refunded
    assert [(r.method, r.count, r.amount) for r in z.refunds or []] == [
        ("card", 2, D("7.50")),
        ("cash", 1, D("8.99")),
    ]
    assert (z.refunds_count, z.refunds_total) == (2, D("16.49"))
    assert z.return_ids == ["R-1", "R-2"]
    assert z.total == D("21.33")  # sales stay gross: refunds are beside them, not netted
    assert [(t.method, t.amount) for t in z.tenders] == [("cash", D("31.33"))]


def test_day_without_returns_says_so_with_an_empty_list() -> None:
    z = build_zreport(1, NOW.date(), NOW, NOW, [sale(1, 500, cash=True)])
    assert z.refunds == []  # not None: this node counts refunds, there were none
    assert (z.refunds_count, z.refunds_total, z.return_ids) == (0, D(0), [])
    assert z.cash_expected == D("5.00")


refund_specs = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["cash", "card", "mobile", "points"]), st.integers(1, 50000)),
        min_size=1,
        max_size=3,
    ),
    max_size=10,
)


@given(st.lists(st.tuples(st.integers(1, 100000), st.booleans()), max_size=30), refund_specs)
def test_totals_balance(
    specs: list[tuple[int, bool]], refunds: list[list[tuple[str, int]]]
) -> None:
    sales = [sale(i, c, cash) for i, (c, cash) in enumerate(specs)]
    returns = [
        PaidReturn(f"R{i}", tuple((m, D(c) / 100) for m, c in paid))
        for i, paid in enumerate(refunds)
    ]
    z = build_zreport(1, NOW.date(), NOW, NOW, sales, voids_count=2, returns=returns)
    assert z.sales_count == len(sales)
    tendered = sum((t.amount for t in z.tenders), D(0))
    assert tendered - z.change == z.total
    cash_refunded = sum((D(c) / 100 for paid in refunds for m, c in paid if m == "cash"), D(0))
    assert (
        z.cash_expected
        == sum(
            (s.tenders[0].amount - s.change for s in sales if s.tenders[0].method == "cash"), D(0)
        )
        - cash_refunded
    )
    assert z.refunds_total == sum((D(c) / 100 for paid in refunds for _, c in paid), D(0))
    assert sum(r.count for r in z.refunds or []) == sum(len(paid) for paid in refunds)
    assert z.refunds_count == len(returns)
    assert z.sale_ids == [s.sale_id for s in sales]
    assert z.return_ids == [r.return_id for r in returns]
