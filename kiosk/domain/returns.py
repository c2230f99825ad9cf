"""Attendant-mode returns and online/offline points redemption at the kiosk. Pure.

The refund itself is ``contracts.refunds`` — the cloud recomputes it with the same code and
is the authority; the kiosk pays out and publishes a ``return`` event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from contracts.messages import ReturnData, ReturnLineData, SaleData
from contracts.pricebook import PointsPolicy
from contracts.refunds import RefundPlan, SoldLine, SoldSale, plan_refund


def redeemable(policy: PointsPolicy, asked: int, online_balance: int | None) -> int:
    """Points the kiosk may accept: the cloud's balance when it answered, else the offline
    limit. Raises ValueError when ``asked`` is beyond it (the checkout shows the reason)."""
    cap = online_balance if online_balance is not None else policy.offline_redeem_limit
    if asked < 0 or asked > cap:
        where = "balance" if online_balance is not None else "offline limit"
        raise ValueError(f"at most {cap} points ({where})")
    return asked


def sold_from(sale: SaleData) -> SoldSale:
    return SoldSale(
        lines=tuple(
            SoldLine(no, ln.qty, ln.amount, sum((d.amount for d in ln.discounts), Decimal(0)))
            for no, ln in enumerate(sale.lines, start=1)
        ),
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        tax_inclusive=sale.tax_inclusive,
        total=sale.total,
        tenders=tuple((t.method, t.amount) for t in sale.tenders),
        change=sale.change,
    )


def plan_return(
    sale: SaleData,
    wanted: Mapping[int, Decimal],
    returned_before: Mapping[int, Decimal] | None = None,
    refunded_before: Mapping[str, Decimal] | None = None,
) -> RefundPlan:
    """What to pay back for ``wanted`` (line_no → qty) of a sale this kiosk holds."""
    return plan_refund(sold_from(sale), wanted, returned_before or {}, refunded_before or {})


def return_event(
    sale: SaleData,
    plan: RefundPlan,
    *,
    reason: str,
    attendant: str,
    clock: Callable[[], datetime],
    new_id: Callable[[], str],
    damaged: frozenset[int] = frozenset(),
) -> ReturnData:
    return ReturnData(
        return_id=new_id(),
        sale_id=sale.sale_id,
        completed_at=clock(),
        reason=reason,
        refund_total=plan.total,
        approved_by=attendant,
        lines=[
            ReturnLineData(
                line_no=x.line_no,
                qty=x.qty,
                disposition="damaged" if x.line_no in damaged else "restock",
            )
            for x in plan.lines
        ],
    )
