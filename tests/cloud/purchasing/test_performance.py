"""Supplier performance, pure: on time against the expected date, average days late, fill
rate of finished orders with over-deliveries capped, spend net of returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cloud.purchasing.performance import OrderFacts, figures

D = Decimal


def test_lead_time_fill_rate_and_spend() -> None:
    facts = [
        # on time, short by 2 of 10, closed: fill 8/10
        OrderFacts("A", date(2026, 3, 5), date(2026, 3, 4), True, ((D(10), D(8), D(0), D(2)),)),
        # two days late, over-delivered 12 of 10 (capped), 1 returned
        OrderFacts("A", date(2026, 3, 5), date(2026, 3, 7), True, ((D(10), D(12), D(1), D(2)),)),
        # still open: counts for timing and spend, not for fill rate
        OrderFacts("B", None, date(2026, 3, 7), False, ((D(6), D(3), D(0), D("1.50")),)),
    ]
    out = figures(facts)
    a, b = out["A"], out["B"]
    assert (a.orders, a.on_time_pct, a.avg_days_late) == (2, D("50.0"), D("0.5"))
    assert a.fill_rate_pct == D("90.0")  # (8 + 10) / 20
    assert a.spend == D("38.00")  # 8×2 + 11×2
    assert (b.on_time_pct, b.avg_days_late, b.fill_rate_pct) == (None, None, None)
    assert b.spend == D("4.50")
