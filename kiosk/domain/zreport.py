"""End-of-day (Z report) totals from the sales of one kiosk. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from contracts.messages import SaleData, TenderTotal, ZReportData


def build_zreport(
    report_no: int,
    business_date: date,
    opened_at: datetime,
    closed_at: datetime,
    sales: Sequence[SaleData],
    voids_count: int = 0,
) -> ZReportData:
    """Totals per tender, counts and sale ids; ``cash_expected`` is cash in minus change."""
    zero = Decimal("0.00")
    per_method: dict[str, list[Decimal]] = defaultdict(list)
    for sale in sales:
        for tender in sale.tenders:
            per_method[tender.method].append(tender.amount)
    change = sum((s.change for s in sales), zero)
    cash_in = sum(per_method.get("cash", []), zero)
    return ZReportData(
        report_no=report_no,
        business_date=business_date,
        opened_at=opened_at,
        closed_at=closed_at,
        sales_count=len(sales),
        voids_count=voids_count,
        gross=sum((s.subtotal for s in sales), zero),
        discounts=sum((s.discount_total for s in sales), zero),
        tax=sum((s.tax_total for s in sales), zero),
        total=sum((s.total for s in sales), zero),
        change=change,
        tenders=[
            TenderTotal(method=method, count=len(amounts), amount=sum(amounts, zero))  # type: ignore[arg-type]
            for method, amounts in sorted(per_method.items())
        ],
        cash_expected=cash_in - change,
        sale_ids=[s.sale_id for s in sales],
    )
