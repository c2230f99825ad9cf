"""Reconciling the cloud's tenders of one provider against the provider's own bill. Pure.

WeChat Pay's trade bill (交易账单, ``bill_type=ALL``, as ``GET /v3/bill/tradebill`` hands it
out): a CSV whose first line names the detail columns, detail rows whose every field starts
with a backtick (so spreadsheets keep long numbers), then a summary header and a summary row.
A payment row has 交易状态 ``SUCCESS``; a refund row ``REFUND`` with 商户退款单号 and 退款金额.

The kiosk uses its payment reference as 商户订单号 (``out_trade_no``), so each recorded
tender of the provider meets its bill row by reference: a charge with no sale (money taken,
nothing sold: refund the shopper), a sale with no charge, or different amounts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

Issue = Literal["charged_not_sold", "sold_not_charged", "amount_differs"]

_TIME, _OUT_TRADE_NO, _STATE = "交易时间", "商户订单号", "交易状态"
_SETTLED, _REFUND_NO, _REFUND = "应结订单金额", "商户退款单号", "退款金额"


class BillFormatError(ValueError):
    """The file is not a trade bill in the documented layout."""


@dataclass(frozen=True, slots=True)
class BillEntry:
    kind: Literal["payment", "refund"]
    reference: str
    """Our reference: out_trade_no of a payment, out_refund_no of a refund."""
    original: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class BillIssue:
    reference: str
    issue: Issue
    ours: Decimal | None
    provider: Decimal | None


def _field(value: str) -> str:
    return value[1:] if value.startswith("`") else value


def _money(value: str, column: str) -> Decimal:
    try:
        return Decimal(_field(value).strip() or "0")
    except InvalidOperation as exc:
        raise BillFormatError(f"{column}: not an amount: {value!r}") from exc


def parse_wechat_trade_bill(text: str) -> list[BillEntry]:
    """Payments and refunds of a WeChat Pay ``ALL`` trade bill; the summary is checked
    against the details (a truncated download fails)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or _TIME not in [c.strip() for c in rows[0]]:
        raise BillFormatError(f"first line must be the detail header (with {_TIME})")
    head = [c.strip() for c in rows[0]]
    try:
        summary_at = next(i for i, r in enumerate(rows) if r and r[0].strip() == "总交易单数")
    except StopIteration as exc:
        raise BillFormatError("no summary (总交易单数) at the end") from exc
    entries: list[BillEntry] = []
    for row in rows[1:summary_at]:
        if not row:
            continue
        if len(row) != len(head):
            raise BillFormatError(f"a detail row has {len(row)} fields, the header {len(head)}")
        rec = dict(zip(head, row, strict=True))
        no = _field(rec[_OUT_TRADE_NO]).strip()
        if _field(rec[_STATE]).strip() == "REFUND":
            entries.append(
                BillEntry(
                    "refund", _field(rec[_REFUND_NO]).strip(), no, _money(rec[_REFUND], _REFUND)
                )
            )
        else:
            entries.append(BillEntry("payment", no, no, _money(rec[_SETTLED], _SETTLED)))
    if len(rows) <= summary_at + 1:
        raise BillFormatError("summary header without its row")
    count = int(_money(rows[summary_at + 1][0], "总交易单数"))
    if count != len(entries):
        raise BillFormatError(f"summary says {count} rows, the file has {len(entries)}")
    return entries


def reconcile(entries: Iterable[BillEntry], tenders: Mapping[str, Decimal]) -> list[BillIssue]:
    """The provider's payments against the recorded tenders of that provider (reference →
    amount) for the same business day: every difference, by reference."""
    charged: dict[str, Decimal] = {}
    for e in entries:
        if e.kind == "payment":
            charged[e.reference] = charged.get(e.reference, Decimal(0)) + e.amount
    issues = []
    for ref in sorted(set(charged) | set(tenders)):
        ours, theirs = tenders.get(ref), charged.get(ref)
        if ours is None:
            issues.append(BillIssue(ref, "charged_not_sold", None, theirs))
        elif theirs is None:
            issues.append(BillIssue(ref, "sold_not_charged", ours, None))
        elif ours != theirs:
            issues.append(BillIssue(ref, "amount_differs", ours, theirs))
    return issues
