"""End-of-day (Z report) totals from the sales and returns of one kiosk. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from contracts.messages import ProviderTotal, SaleData, TenderTotal, ZReportData

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PaidReturn:
    """A return this kiosk paid out: its id and each refund payment as (method, amount).

    A card refund split over two original card tenders is two payments, as a sale's split
    tender is two tenders.
    """

    return_id: str
    refunds: tuple[tuple[str, Decimal], ...]
    providers: tuple[tuple[str, Decimal], ...] = ()
    """The same payments as (provider, amount)."""


def method_totals(payments: Iterable[tuple[str, Decimal]]) -> list[TenderTotal]:
    """Count and amount per method, sorted by method."""
    per_method: dict[str, list[Decimal]] = defaultdict(list)
    for method, amount in payments:
        per_method[method].append(amount)
    return [
        TenderTotal(method=method, count=len(amounts), amount=sum(amounts, ZERO))
        for method, amounts in sorted(per_method.items())
    ]


def provider_totals(
    sales: Sequence[SaleData], returns: Sequence[PaidReturn]
) -> list[ProviderTotal]:
    """Per provider: tenders taken and refunds paid, sorted by provider. A tender from a node
    older than providers counts under its method."""
    taken: dict[str, list[Decimal]] = defaultdict(list)
    paid: dict[str, list[Decimal]] = defaultdict(list)
    for s in sales:
        for t in s.tenders:
            taken[t.provider or t.method].append(t.amount)
    for r in returns:
        for provider, amount in r.providers or r.refunds:
            paid[provider].append(amount)
    return [
        ProviderTotal(
            provider=p,
            count=len(taken[p]),
            amount=sum(taken[p], ZERO),
            refunds_count=len(paid[p]),
            refunds=sum(paid[p], ZERO),
        )
        for p in sorted(set(taken) | set(paid))
    ]


def build_zreport(
    report_no: int,
    business_date: date,
    opened_at: datetime,
    closed_at: datetime,
    sales: Sequence[SaleData],
    voids_count: int = 0,
    returns: Sequence[PaidReturn] = (),
) -> ZReportData:
    """Totals per tender and per refund method, counts and ids.

    ``cash_expected`` is what the drawer should hold: cash in, minus change, minus cash
    refunded (by the acceptor or by the attendant from the drawer, as change is).
    """
    tenders = method_totals((t.method, t.amount) for s in sales for t in s.tenders)
    refunds = method_totals(p for r in returns for p in r.refunds)
    change = sum((s.change for s in sales), ZERO)
    cash_in = next((t.amount for t in tenders if t.method == "cash"), ZERO)
    cash_out = next((r.amount for r in refunds if r.method == "cash"), ZERO)
    return ZReportData(
        report_no=report_no,
        business_date=business_date,
        opened_at=opened_at,
        closed_at=closed_at,
        sales_count=len(sales),
        voids_count=voids_count,
        gross=sum((s.subtotal for s in sales), ZERO),
        discounts=sum((s.discount_total for s in sales), ZERO),
        tax=sum((s.tax_total for s in sales), ZERO),
        total=sum((s.total for s in sales), ZERO),
        change=change,
        tenders=tenders,
        cash_expected=cash_in - change - cash_out,
        sale_ids=[s.sale_id for s in sales],
        refunds=refunds,
        refunds_count=len(returns),
        refunds_total=sum((r.amount for r in refunds), ZERO),
        return_ids=[r.return_id for r in returns],
        providers=provider_totals(sales, returns),
    )
