"""Period arithmetic and moving-average costing (pure)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cloud.finance.costing import LedgerRow, walk
from cloud.finance.periods import PERIODS, buckets, monthly_occurrences

T = datetime(2026, 3, 1, tzinfo=UTC)


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 800), st.sampled_from(PERIODS))
def test_buckets_tile_the_range_exactly(first: date, span: int, period: str) -> None:
    last = first + timedelta(days=span)
    parts = buckets(first, last, period)  # type: ignore[arg-type]
    assert parts[0][0] == first
    assert parts[-1][1] == last
    for (_, end), (start, _) in itertools.pairwise(parts):
        assert start == end + timedelta(days=1)


def test_monthly_recurrence_clamps_to_short_months_and_respects_bounds() -> None:
    got = list(
        monthly_occurrences(
            31, date(2026, 1, 15), date(2026, 4, 29), date(2026, 1, 1), date(2026, 12, 31)
        )
    )
    assert got == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_moving_average_reaverages_on_receipts_only() -> None:
    rows = [
        LedgerRow("p1", "receiving", Decimal(10), Decimal("2.00"), T),
        LedgerRow("p1", "sale", Decimal(-4), Decimal("9.99"), T + timedelta(hours=1)),
        LedgerRow("p1", "receiving", Decimal(6), Decimal("5.00"), T + timedelta(hours=2)),
        LedgerRow("p1", "sale", Decimal(-3), None, T + timedelta(hours=3)),
        LedgerRow("p2", "sale", Decimal(-1), Decimal("1.25"), T),  # catalog cost fallback
        LedgerRow("p3", "sale", Decimal(-1), None, T),  # no cost at all
    ]
    out = walk(rows)
    # 6 left at 2.00 + 6 at 5.00 → 3.50
    assert out.states["p1"].average == Decimal("3.5")
    assert [c for _, c in out.cogs] == [
        Decimal("8.00"),
        Decimal("10.50"),
        Decimal("1.25"),
        Decimal("0.00"),
    ]
    assert out.uncosted == 1
    assert out.states["p1"].on_hand == Decimal(9)
