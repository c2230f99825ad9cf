"""Pure refund arithmetic shared by the kiosk (attendant returns) and the cloud (authority).

Why here: both sides must compute the same cents, and the cloud may not import the kiosk.
No I/O, no clock. All amounts are Decimal cents.

Rules:

1. A line's *paid* value is ``amount − line discounts − its share of basket discounts``
   (``discount_total`` minus the line discounts, apportioned by net with largest remainder),
   plus its share of ``tax_total`` when tax is exclusive. The paid values of all lines sum
   exactly to ``total``.
2. Returning ``q`` of ``Q`` units refunds ``round(paid × (r + q)/Q) − round(paid × r/Q)``
   where ``r`` was returned before: returning everything, in any number of steps, refunds
   exactly the line's paid value.
3. Refunds go back to the original tenders in the order card, mobile, cash, points, coupon,
   each up to what it paid (cash net of change) less what was already refunded to it.
4. Earned points are reversed in proportion to the money refunded (cumulative rounding again,
   so a full return reverses exactly what was earned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
REFUND_ORDER = ("card", "mobile", "cash", "points", "coupon")
MONEY_METHODS = ("card", "mobile", "cash")


class RefundError(ValueError):
    """The return asks for a line that does not exist or more than is left of it."""


@dataclass(frozen=True, slots=True)
class SoldLine:
    line_no: int
    qty: Decimal
    amount: Decimal
    discount: Decimal


@dataclass(frozen=True, slots=True)
class SoldSale:
    """What a refund needs to know of the original sale."""

    lines: tuple[SoldLine, ...]
    discount_total: Decimal
    tax_total: Decimal
    tax_inclusive: bool
    total: Decimal
    tenders: tuple[tuple[str, Decimal], ...]
    change: Decimal
    points_earned: int = 0


@dataclass(frozen=True, slots=True)
class LineRefund:
    line_no: int
    qty: Decimal
    amount: Decimal
    """Money back for this line (tax included)."""
    tax: Decimal
    discount: Decimal
    """Share of the sale's discounts that is reversed with it."""


@dataclass(frozen=True, slots=True)
class RefundPlan:
    lines: tuple[LineRefund, ...]
    total: Decimal
    tax: Decimal
    discount: Decimal
    tenders: tuple[tuple[str, Decimal], ...]
    points_reversed: int
    """Earned points to take back."""
    full: bool = False
    """True when after this return nothing of the sale is left."""
    extra: dict[str, str] = field(default_factory=dict)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def apportion(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` cents over ``weights`` (largest remainder); sums exactly to ``total``."""
    units = int((total / CENT).to_integral_value())
    positive = [max(w, Decimal(0)) for w in weights]
    whole = sum(positive, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        positive = [Decimal(1)] * len(weights)
        whole = Decimal(len(weights))
    raw = [units * w / whole for w in positive]
    base = [int(r) for r in raw]
    left = units - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[: abs(left)]:
        base[i] += 1 if left > 0 else -1
    return [Decimal(b) * CENT for b in base]


def line_values(sale: SoldSale) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """line_no → (paid incl. tax, tax, discount) of the whole line."""
    nets = [ln.amount - ln.discount for ln in sale.lines]
    basket = sale.discount_total - sum((ln.discount for ln in sale.lines), Decimal(0))
    basket_share = apportion(max(basket, ZERO), nets)
    pays = [n - b for n, b in zip(nets, basket_share, strict=True)]
    taxes = apportion(sale.tax_total, pays)
    out: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    for ln, pay, tax, bshare in zip(sale.lines, pays, taxes, basket_share, strict=True):
        gross = pay if sale.tax_inclusive else pay + tax
        out[ln.line_no] = (gross, tax, ln.discount + bshare)
    return out


def _share(value: Decimal, done: Decimal, qty: Decimal, sold: Decimal) -> Decimal:
    if sold <= 0:
        return ZERO
    return cents(value * (done + qty) / sold) - cents(value * done / sold)


def plan_refund(
    sale: SoldSale,
    wanted: Mapping[int, Decimal],
    returned_before: Mapping[int, Decimal],
    refunded_before: Mapping[str, Decimal],
    points_reversed_before: int = 0,
) -> RefundPlan:
    """The refund of ``wanted`` (line_no → qty); :class:`RefundError` if it cannot be."""
    if not wanted:
        raise RefundError("nothing to return")
    by_no = {ln.line_no: ln for ln in sale.lines}
    values = line_values(sale)
    lines: list[LineRefund] = []
    for no, qty in sorted(wanted.items()):
        line = by_no.get(no)
        if line is None:
            raise RefundError(f"line {no} is not in the sale")
        done = returned_before.get(no, Decimal(0))
        if qty <= 0 or done + qty > line.qty:
            raise RefundError(f"line {no}: {qty} asked, {line.qty - done} left to return")
        gross, tax, disc = values[no]
        lines.append(
            LineRefund(
                line_no=no,
                qty=qty,
                amount=_share(gross, done, qty, line.qty),
                tax=_share(tax, done, qty, line.qty),
                discount=_share(disc, done, qty, line.qty),
            )
        )
    total = sum((x.amount for x in lines), ZERO)
    tenders = _to_tenders(sale, total, refunded_before)
    money_paid = _money_paid(sale)
    money_before = sum((refunded_before.get(m, ZERO) for m in MONEY_METHODS), ZERO)
    money_now = sum((a for m, a in tenders if m in MONEY_METHODS), ZERO)
    points = 0
    if money_paid > 0 and sale.points_earned > 0:
        upto = _points_share(sale.points_earned, money_before + money_now, money_paid)
        points = upto - points_reversed_before
        points = max(0, min(points, sale.points_earned - points_reversed_before))
    left = {ln.line_no: ln.qty - returned_before.get(ln.line_no, Decimal(0)) for ln in sale.lines}
    for x in lines:
        left[x.line_no] -= x.qty
    return RefundPlan(
        lines=tuple(lines),
        total=total,
        tax=sum((x.tax for x in lines), ZERO),
        discount=sum((x.discount for x in lines), ZERO),
        tenders=tenders,
        points_reversed=points,
        full=all(v <= 0 for v in left.values()),
    )


def _points_share(earned: int, refunded: Decimal, paid: Decimal) -> int:
    return int((Decimal(earned) * min(refunded, paid) / paid).to_integral_value(ROUND_HALF_UP))


def _money_paid(sale: SoldSale) -> Decimal:
    paid = sum((a for m, a in sale.tenders if m in MONEY_METHODS), ZERO)
    return paid - sale.change


def _to_tenders(
    sale: SoldSale, amount: Decimal, refunded_before: Mapping[str, Decimal]
) -> tuple[tuple[str, Decimal], ...]:
    paid: dict[str, Decimal] = {}
    for method, value in sale.tenders:
        paid[method] = paid.get(method, ZERO) + value
    if "cash" in paid:
        paid["cash"] -= sale.change
    out: list[tuple[str, Decimal]] = []
    left = amount
    for method in REFUND_ORDER:
        if left <= 0:
            break
        room = paid.get(method, ZERO) - refunded_before.get(method, ZERO)
        take = min(room, left)
        if take > 0:
            out.append((method, take))
            left -= take
    if left > 0:  # rounding crumbs of a sale paid oddly: back in cash
        out.append(("cash", left))
    return tuple(out)
