"""Settlement of one kiosk's Z report against the sales and returns the cloud recorded. Pure.

Each difference carries its likely cause, checked in the order a manager would: events that
never arrived (the sale and return ids tell), sales or returns the kiosk did not report,
totals that disagree although the same sales are on both sides, and cash counted against
cash expected (net of cash refunds: for a node whose Z report predates refunds, the cash
refunds the cloud recorded for it are taken off its expected cash).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from contracts.messages import ZReportData

Cause = Literal[
    "missing_event",
    "unreported_sale",
    "unreported_return",
    "mismatched_totals",
    "cash_variance",
    "missing_zreport",
]
ZERO = Decimal("0.00")
ONLINE_NODE = "online"
"""The node of sales the cloud records itself (online orders at collection or delivery): paid
to the online shop, never in a kiosk's drawer or Z report, so settled without one."""


@dataclass(frozen=True, slots=True)
class RecordedSale:
    """A sale as the cloud recorded it (header and tender amounts)."""

    sale_id: str
    total: Decimal
    change: Decimal
    tenders: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True, slots=True)
class RecordedReturn:
    """A kiosk return as the cloud recorded it: its id (the kiosk's) and refunds by method."""

    return_id: str
    refunds: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True, slots=True)
class Difference:
    field: str
    cause: Cause
    kiosk: Decimal | int | None
    cloud: Decimal | int | None
    detail: str = ""


@dataclass
class Settlement:
    node: str
    report_no: int | None
    sales_count_kiosk: int
    sales_count_cloud: int
    total_kiosk: Decimal
    total_cloud: Decimal
    tenders_kiosk: dict[str, Decimal]
    tenders_cloud: dict[str, Decimal]
    differences: list[Difference] = field(default_factory=list)
    refunds_kiosk: dict[str, Decimal] = field(default_factory=dict)
    refunds_cloud: dict[str, Decimal] = field(default_factory=dict)
    cash_expected: Decimal | None = None
    """What the drawer should hold, net of cash refunds (None without a Z report figure)."""

    @property
    def balanced(self) -> bool:
        return not self.differences


def tender_totals(sales: Sequence[RecordedSale]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for sale in sales:
        for method, amount in sale.tenders:
            out[method] += amount
    return dict(out)


def refund_totals(returns: Sequence[RecordedReturn]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for ret in returns:
        for method, amount in ret.refunds:
            out[method] += amount
    return dict(out)


def settle(
    node: str,
    z: ZReportData | None,
    sales: Sequence[RecordedSale],
    returns: Sequence[RecordedReturn] = (),
) -> Settlement:
    """Compare ``z`` (None: never received) with the cloud's sales and returns of the same
    kiosk and day."""
    cloud_tenders = tender_totals(sales)
    cloud_refunds = refund_totals(returns)
    cloud_total = sum((s.total for s in sales), ZERO)
    if z is None:
        return _without_zreport(node, sales, returns, cloud_total, cloud_tenders, cloud_refunds)
    kiosk_tenders: dict[str, Decimal] = {str(t.method): t.amount for t in z.tenders}
    result = Settlement(
        node,
        z.report_no,
        z.sales_count,
        len(sales),
        z.total,
        cloud_total,
        kiosk_tenders,
        cloud_tenders,
    )
    money_cause = _sale_differences(z, sales, result.differences)
    if z.total != cloud_total:
        result.differences.append(
            Difference(
                "total", money_cause, z.total, cloud_total, f"difference {z.total - cloud_total}"
            )
        )
    for method in sorted(set(kiosk_tenders) | set(cloud_tenders)):
        k, c = kiosk_tenders.get(method, ZERO), cloud_tenders.get(method, ZERO)
        if k != c:
            result.differences.append(
                Difference(f"tender:{method}", money_cause, k, c, f"difference {k - c}")
            )
    if z.refunds is not None:
        result.refunds_kiosk = {str(r.method): r.amount for r in z.refunds}
        result.differences.extend(
            _refund_differences(z, returns, result.refunds_kiosk, cloud_refunds)
        )
    result.refunds_cloud = cloud_refunds
    _settle_cash(z, result, cloud_refunds)
    return result


def _without_zreport(
    node: str,
    sales: Sequence[RecordedSale],
    returns: Sequence[RecordedReturn],
    cloud_total: Decimal,
    cloud_tenders: dict[str, Decimal],
    cloud_refunds: dict[str, Decimal],
) -> Settlement:
    """The day as the cloud saw it; any sale or return without a Z report is a difference."""
    result = Settlement(node, None, 0, len(sales), ZERO, cloud_total, {}, cloud_tenders)
    result.refunds_cloud = cloud_refunds
    if (sales or returns) and node != ONLINE_NODE:
        result.differences.append(
            Difference(
                "zreport",
                "missing_zreport",
                None,
                len(sales),
                f"{'sales' if sales else 'returns'} recorded but no Z report received",
            )
        )
    return result


def _sale_differences(
    z: ZReportData, sales: Sequence[RecordedSale], diffs: list[Difference]
) -> Cause:
    """Append the sale-id and count differences to ``diffs``; return the cause to give the
    money differences (a missing or unreported sale explains them, else they mismatch)."""
    by_id = {s.sale_id: s for s in sales}
    reported = set(z.sale_ids)
    missing = [sid for sid in z.sale_ids if sid not in by_id]
    extra = sorted(sid for sid in by_id if z.sale_ids and sid not in reported)
    for sid in missing:
        diffs.append(
            Difference(
                "sale_id",
                "missing_event",
                None,
                None,
                f"sale {sid} is on the Z report but was never received",
            )
        )
    for sid in extra:
        diffs.append(
            Difference(
                "sale_id",
                "unreported_sale",
                None,
                None,
                f"sale {sid} was received but is not on the Z report",
            )
        )
    count_gap = z.sales_count - len(sales)
    explained = bool(missing or extra) or (not z.sale_ids and count_gap > 0)
    count_cause: Cause = "missing_event" if count_gap > 0 else "unreported_sale"
    if count_gap:
        diffs.append(
            Difference(
                "sales_count",
                count_cause,
                z.sales_count,
                len(sales),
                f"{abs(count_gap)} sale(s) differ",
            )
        )
    if not explained:
        return "mismatched_totals"
    return "missing_event" if count_gap >= 0 and missing else count_cause


def _settle_cash(z: ZReportData, result: Settlement, cloud_refunds: dict[str, Decimal]) -> None:
    """Expected cash (less the cloud's cash refunds when the Z report predates refunds) against
    the counted drawer."""
    result.cash_expected = z.cash_expected
    note = ""
    if z.cash_expected is not None and z.refunds is None and cloud_refunds.get("cash"):
        result.cash_expected = z.cash_expected - cloud_refunds["cash"]
        note = f" (cash refunds {cloud_refunds['cash']} recorded by the cloud taken off)"
    if result.cash_expected is not None and z.cash_counted is not None:
        variance = z.cash_counted - result.cash_expected
        if variance:
            result.differences.append(
                Difference(
                    "cash",
                    "cash_variance",
                    result.cash_expected,
                    z.cash_counted,
                    f"drawer {'over' if variance > 0 else 'short'} by {abs(variance)}{note}",
                )
            )


def _refund_differences(
    z: ZReportData,
    returns: Sequence[RecordedReturn],
    kiosk_refunds: dict[str, Decimal],
    cloud_refunds: dict[str, Decimal],
) -> list[Difference]:
    """Returns on the Z report the cloud never recorded (lost, or refused on ingest), returns
    recorded but not on the report, then refund money per method."""
    diffs: list[Difference] = []
    recorded = {r.return_id for r in returns}
    reported = set(z.return_ids)
    missing = [rid for rid in z.return_ids if rid not in recorded]
    extra = sorted(recorded - reported)
    for rid in missing:
        diffs.append(
            Difference(
                "return_id",
                "missing_event",
                None,
                None,
                f"return {rid} is on the Z report but was never recorded",
            )
        )
    for rid in extra:
        diffs.append(
            Difference(
                "return_id",
                "unreported_return",
                None,
                None,
                f"return {rid} was recorded but is not on the Z report",
            )
        )
    cause: Cause = (
        "missing_event" if missing else "unreported_return" if extra else "mismatched_totals"
    )
    for method in sorted(set(kiosk_refunds) | set(cloud_refunds)):
        k, c = kiosk_refunds.get(method, ZERO), cloud_refunds.get(method, ZERO)
        if k != c:
            diffs.append(Difference(f"refund:{method}", cause, k, c, f"difference {k - c}"))
    return diffs
