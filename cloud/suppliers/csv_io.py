"""Supplier CSV: one row per (supplier, product); a supplier with no products has one row
with the product columns empty. Pure: parsing never raises on user input, a bad row becomes
an error with its line number; the service applies the good rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SUPPLIER_COLUMNS = (
    "code",
    "name",
    "contact",
    "phone",
    "email",
    "tax_id",
    "payment_terms_days",
    "lead_time_days",
    "min_order_amount",
)
ITEM_COLUMNS = ("sku", "supplier_sku", "unit_cost", "pack_size", "min_qty", "preferred")
COLUMNS = SUPPLIER_COLUMNS + ITEM_COLUMNS
MAX_ROWS = 10_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_LIMITS = {"name": 200, "contact": 100, "phone": 32, "email": 254, "tax_id": 32}


@dataclass
class CsvRow:
    line: int
    code: str
    supplier: dict[str, object]
    item: dict[str, object] | None


@dataclass
class Parsed:
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _int(text: str, name: str, default: int, hi: int) -> int:
    if not text:
        return default
    if not text.isdigit() or int(text) > hi:
        raise ValueError(f"{name} must be a whole number 0..{hi}")
    return int(text)


def _dec(text: str, name: str, default: Decimal | None = None) -> Decimal:
    if not text and default is not None:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} is not a number") from None
    if not value.is_finite() or value < 0 or value > Decimal("9999999999"):
        raise ValueError(f"{name} must be 0 or more")
    return value


def _row(line: int, raw: dict[str, str]) -> CsvRow:
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    if not _CODE.match(get["code"]):
        raise ValueError("code must be 1-32 letters, digits, - or _")
    if not get["name"]:
        raise ValueError("name is required")
    for key, limit in _LIMITS.items():
        if len(get[key]) > limit:
            raise ValueError(f"{key} is longer than {limit}")
    supplier: dict[str, object] = {k: get[k] for k in _LIMITS}
    supplier["payment_terms_days"] = _int(get["payment_terms_days"], "payment_terms_days", 30, 365)
    supplier["lead_time_days"] = _int(get["lead_time_days"], "lead_time_days", 3, 365)
    supplier["min_order_amount"] = _dec(get["min_order_amount"], "min_order_amount", Decimal(0))
    item: dict[str, object] | None = None
    if get["sku"]:
        if len(get["sku"]) > 64 or len(get["supplier_sku"]) > 64:
            raise ValueError("sku and supplier_sku are at most 64 characters")
        item = {
            "sku": get["sku"],
            "supplier_sku": get["supplier_sku"],
            "unit_cost": _dec(get["unit_cost"], "unit_cost"),
            "pack_size": _int(get["pack_size"], "pack_size", 1, 100_000) or 1,
            "min_qty": _dec(get["min_qty"], "min_qty", Decimal(0)),
            "preferred": get["preferred"].lower() in ("1", "true", "yes", "y"),
        }
    return CsvRow(line, get["code"], supplier, item)


def parse(text: str) -> Parsed:
    out = Parsed()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("code", "name") if c not in (reader.fieldnames or [])]
    if missing:
        out.errors.append((1, f"missing column(s): {', '.join(missing)}"))
        return out
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            out.errors.append((n, f"more than {MAX_ROWS} rows"))
            break
        try:
            out.rows.append(_row(n, raw))
        except ValueError as exc:
            out.errors.append((n, str(exc)))
    return out


def export(rows: Iterable[dict[str, object]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _text(row.get(k)) for k in COLUMNS})
    return buf.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
