"""The receipt as data and its PURE layout into printer operations.

``layout(receipt, width_chars)`` does no I/O and knows nothing of ESC/POS: it returns a
list of :data:`Op` whose text lines are already fitted to the paper (CJK counted double),
so the same layout can be tested, shown on screen, or rendered by :mod:`.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.money import Money, Quantity
from kiosk.printer.text import clean, columns, pad, text_width, wrap

Align = Literal["left", "center", "right"]
Language = Literal["en", "zh"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreHeader(_Model):
    name: str = Field(description="Store name, printed large")
    address: str = Field(default="", description="Street address")
    phone: str = Field(default="", description="Store phone")
    tax_id: str = Field(default="", description="Tax registration number")


class ReceiptDiscount(_Model):
    name: str = Field(description="Promotion name as the shopper knows it")
    amount: Money = Field(description="Positive amount taken off")


class ReceiptLine(_Model):
    name: str = Field(description="Product name in the receipt's language")
    qty: Quantity = Field(description="Units, or kg when weighed")
    unit_price: Money = Field(description="Price per unit or per kg")
    amount: Money = Field(description="qty × unit price before discounts")
    discounts: tuple[ReceiptDiscount, ...] = Field(default=(), description="Line discounts")
    weighed: bool = Field(default=False, description="qty is kilograms")


class TaxRow(_Model):
    rate: Decimal = Field(description="Fraction, e.g. 0.13")
    amount: Money = Field(description="Tax at this rate")


class TenderRow(_Model):
    method: str = Field(description="cash, card, mobile, points, coupon")
    amount: Money = Field(description="Amount tendered")
    reference: str = Field(default="", description="Masked card or payment reference")


class MemberBlock(_Model):
    masked_id: str = Field(description="Masked phone or card, e.g. 138****5678")
    points_earned: int = Field(default=0, ge=0, description="Points earned by this sale")
    points_redeemed: int = Field(default=0, ge=0, description="Points used as a tender")
    points_balance: int | None = Field(default=None, description="Balance if known offline")


class Receipt(_Model):
    store: StoreHeader
    kiosk_id: str
    receipt_no: str
    time: datetime = Field(description="Local time of the sale, as printed")
    currency: str = "CNY"
    lines: tuple[ReceiptLine, ...]
    subtotal: Money
    discount_total: Money
    tax_inclusive: bool = True
    taxes: tuple[TaxRow, ...] = ()
    tax_total: Money
    total: Money
    tenders: tuple[TenderRow, ...] = ()
    change: Money = Decimal(0)
    member: MemberBlock | None = None
    qr_url: str | None = Field(default=None, description="E-receipt link shown as a QR code")
    footer: tuple[str, ...] = ()
    reprint: bool = False
    language: Language = "en"


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``: enough for the shopper, useless to a finder."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = 3 if len(digits) >= 10 else 0
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def mask_card(card: str) -> str:
    return "*" * max(0, len(card) - 4) + card[-4:]


# Operations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One printed line, already fitted: ``text_width(text) * (2 if double) <= width``."""

    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Cut:
    pass


Op = Text | Rule | Feed | QrCode | Cut

LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "reprint": "*** REPRINT ***",
        "receipt": "Receipt",
        "kiosk": "Kiosk",
        "tax_id": "Tax ID",
        "tel": "Tel",
        "subtotal": "Subtotal",
        "discounts": "Discounts",
        "tax_incl": "incl. tax",
        "tax": "Tax",
        "total": "TOTAL",
        "change": "Change",
        "member": "Member",
        "earned": "Points earned",
        "redeemed": "Points redeemed",
        "balance": "Points balance",
        "qr": "Scan for your e-receipt",
        "cash": "Cash",
        "card": "Card",
        "mobile": "Mobile pay",
        "points": "Points",
        "coupon": "Coupon",
        "online": "Paid online",
        "items": "items",
    },
    "zh": {
        "reprint": "*** 重印 ***",
        "receipt": "单号",
        "kiosk": "收银机",
        "tax_id": "税号",
        "tel": "电话",
        "subtotal": "小计",
        "discounts": "优惠",
        "tax_incl": "含税",
        "tax": "税额",
        "total": "合计",
        "change": "找零",
        "member": "会员",
        "earned": "本次积分",
        "redeemed": "积分抵扣",
        "balance": "积分余额",
        "qr": "扫码获取电子小票",
        "cash": "现金",
        "card": "银行卡",
        "mobile": "移动支付",
        "points": "积分",
        "coupon": "优惠券",
        "online": "线上已付",
        "items": "件",
    },
}


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def layout(receipt: Receipt, width_chars: int) -> list[Op]:
    """Lay ``receipt`` out for a paper of ``width_chars`` columns (≥ 16)."""
    w = max(16, width_chars)
    t = LABELS[receipt.language]
    ops: list[Op] = []
    ops += _header(receipt, w, t)
    ops.append(Rule())
    for line in receipt.lines:
        ops += _item(line, w)
    ops.append(Rule())
    ops += _totals(receipt, w, t)
    ops += _tenders(receipt, w, t)
    if receipt.member is not None:
        ops.append(Rule())
        ops += _member(receipt.member, w, t)
    if receipt.qr_url:
        ops += [Feed(), *_centered(t["qr"], w), QrCode(receipt.qr_url)]
    if receipt.footer:
        ops.append(Feed())
        for text in receipt.footer:
            ops += _centered(text, w)
    ops.append(Cut())
    return ops


def _centered(text: str, w: int, *, bold: bool = False, double: bool = False) -> list[Op]:
    span = w // 2 if double else w
    return [Text(part, "center", bold, double) for part in wrap(text, span)]


def _rows(left: str, right: str, w: int, *, bold: bool = False) -> list[Op]:
    return [Text(part, "left", bold) for part in columns(left, right, w)]


def _header(r: Receipt, w: int, t: dict[str, str]) -> list[Op]:
    name = clean(r.store.name)
    double = text_width(name) <= w // 2
    ops: list[Op] = _centered(name, w, bold=True, double=double)
    if r.store.address:
        ops += _centered(r.store.address, w)
    if r.store.phone:
        ops += _centered(f"{t['tel']} {r.store.phone}", w)
    if r.store.tax_id:
        ops += _centered(f"{t['tax_id']} {r.store.tax_id}", w)
    if r.reprint:
        ops += _centered(t["reprint"], w, bold=True)
    ops.append(Feed())
    ops += _rows(f"{t['receipt']} {r.receipt_no}", f"{t['kiosk']} {r.kiosk_id}", w)
    ops += _rows(r.time.strftime("%Y-%m-%d %H:%M:%S"), "", w)
    return ops


def _item(line: ReceiptLine, w: int) -> list[Op]:
    ops: list[Op] = [Text(part) for part in wrap(line.name, w)]
    if line.weighed:
        detail = f"  {line.qty.normalize():f} kg x {money(line.unit_price)}/kg"
    else:
        detail = f"  {line.qty.normalize():f} x {money(line.unit_price)}"
    ops += _rows(detail, money(line.amount), w)
    for discount in line.discounts:
        ops += _rows(f"  {discount.name}", f"-{money(discount.amount)}", w)
    return ops


def _totals(r: Receipt, w: int, t: dict[str, str]) -> list[Op]:
    count = sum((ln.qty for ln in r.lines if not ln.weighed), Decimal(0)) + sum(
        1 for ln in r.lines if ln.weighed
    )
    ops = _rows(f"{t['subtotal']} ({count.normalize():f} {t['items']})", money(r.subtotal), w)
    if r.discount_total:
        ops += _rows(t["discounts"], f"-{money(r.discount_total)}", w)
    label = t["tax_incl"] if r.tax_inclusive else t["tax"]
    for row in r.taxes:
        rate = (row.rate * 100).normalize()
        ops += _rows(f"{label} {rate:f}%", money(row.amount), w)
    if not r.taxes and r.tax_total:
        ops += _rows(label, money(r.tax_total), w)
    total = f"{r.currency} {money(r.total)}"
    half = w // 2
    if text_width(t["total"]) + 1 + text_width(total) <= half:
        ops.append(Text(pad(t["total"], half - text_width(total)) + total, "left", True, True))
    else:
        ops += _rows(t["total"], total, w, bold=True)
    return ops


def _tenders(r: Receipt, w: int, t: dict[str, str]) -> list[Op]:
    ops: list[Op] = []
    for tender in r.tenders:
        label = t.get(tender.method, tender.method)
        if tender.reference:
            label = f"{label} {tender.reference}"
        ops += _rows(label, money(tender.amount), w)
    if r.change or r.tenders:
        ops += _rows(t["change"], money(r.change), w)
    return ops


def _member(m: MemberBlock, w: int, t: dict[str, str]) -> list[Op]:
    ops = _rows(t["member"], m.masked_id, w)
    if m.points_earned:
        ops += _rows(t["earned"], f"+{m.points_earned}", w)
    if m.points_redeemed:
        ops += _rows(t["redeemed"], f"-{m.points_redeemed}", w)
    if m.points_balance is not None:
        ops += _rows(t["balance"], str(m.points_balance), w)
    return ops
