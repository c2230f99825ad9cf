"""The cart: lines, member, coupons and points, with a JSON snapshot for crash recovery.

A snapshot is written after every change, so a reboot (or kill -9) resumes the same cart;
suspended carts (挂单) are stored the same way under a short code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

MemberKind = Literal["phone", "card"]


@dataclass
class CartLine:
    """One scanned product. ``bagged_qty`` is what the bagging scale has confirmed."""

    line_id: str
    sku: str
    gtin: str
    name: str
    qty: Decimal
    weighed: bool = False
    name_zh: str | None = None
    unit_weight_g: Decimal | None = None
    tolerance_g: Decimal = Decimal(0)
    check_weight: bool = True
    bagged_qty: Decimal = Decimal(0)
    price_override: Decimal | None = None
    min_age: int | None = None
    age_approved: bool = False

    @property
    def unit_grams(self) -> Decimal | None:
        """Grams per unit of ``qty``: kilograms for weighed items, else the unit weight."""
        if self.weighed:
            return Decimal(1000)
        return self.unit_weight_g

    @property
    def needs_bagging(self) -> bool:
        return self.check_weight and self.unit_grams is not None and self.bagged_qty < self.qty

    @property
    def any_bagged(self) -> bool:
        return self.bagged_qty > 0

    def pending_grams(self) -> Decimal:
        unit = self.unit_grams or Decimal(0)
        return (self.qty - self.bagged_qty) * unit

    def tolerance_for(self, qty: Decimal) -> Decimal:
        """Per-unit tolerance grows with the count; weighed items use the line tolerance."""
        if self.weighed:
            return self.tolerance_g
        return self.tolerance_g * max(qty, Decimal(1))


@dataclass
class Member:
    kind: MemberKind
    value: str
    tier: str | None = None
    """The member's tier, when the cloud told us (online lookup); prices the tier discount."""
    balance: int | None = None
    """Points balance from the cloud's online lookup; None offline (the book's limit rules)."""

    def as_payload(self) -> dict[str, str]:
        return {self.kind: self.value}


@dataclass
class Cart:
    cart_id: str
    started_at: datetime
    lines: list[CartLine] = field(default_factory=list)
    member: Member | None = None
    coupons: list[str] = field(default_factory=list)
    points: int = 0
    next_line: int = 1

    @property
    def empty(self) -> bool:
        return not self.lines

    def new_line_id(self) -> str:
        line_id = f"L{self.next_line}"
        self.next_line += 1
        return line_id

    def line(self, line_id: str) -> CartLine | None:
        return next((ln for ln in self.lines if ln.line_id == line_id), None)

    def find_mergeable(self, sku: str) -> CartLine | None:
        """Repeat scans of a counted item add to its line; weighed and priced items never merge."""
        for ln in self.lines:
            if ln.sku == sku and not ln.weighed and ln.price_override is None:
                return ln
        return None

    def item_count(self) -> Decimal:
        return sum((Decimal(1) if ln.weighed else ln.qty for ln in self.lines), Decimal(0))

    # Snapshots ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cart:
        lines = [
            CartLine(
                line_id=ln["line_id"],
                sku=ln["sku"],
                gtin=ln["gtin"],
                name=ln["name"],
                qty=Decimal(ln["qty"]),
                weighed=bool(ln["weighed"]),
                name_zh=ln.get("name_zh"),
                unit_weight_g=_dec_or_none(ln.get("unit_weight_g")),
                tolerance_g=Decimal(ln.get("tolerance_g", "0")),
                check_weight=bool(ln.get("check_weight", True)),
                bagged_qty=Decimal(ln.get("bagged_qty", "0")),
                price_override=_dec_or_none(ln.get("price_override")),
                min_age=ln.get("min_age"),
                age_approved=bool(ln.get("age_approved", False)),
            )
            for ln in data.get("lines", [])
        ]
        member = data.get("member")
        return cls(
            cart_id=data["cart_id"],
            started_at=datetime.fromisoformat(data["started_at"]),
            lines=lines,
            member=(
                Member(member["kind"], member["value"], member.get("tier"), member.get("balance"))
                if member
                else None
            ),
            coupons=list(data.get("coupons", [])),
            points=int(data.get("points", 0)),
            next_line=int(data.get("next_line", len(lines) + 1)),
        )


def _dec_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return value
