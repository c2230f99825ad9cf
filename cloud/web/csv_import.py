"""Product CSV: parse and validate every row (pure, no database), and export.

Parsing never raises on user input: a bad file or a bad row becomes an error entry with the
line number, so the import page can show a row-by-row report. Checks that need the database
(unknown category, barcode used by another product) happen in the page, per row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cloud.products.gtin import normalize_gtin

COLUMNS = (
    "sku",
    "name",
    "name_zh",
    "price",
    "member_price",
    "cost",
    "gtin",
    "category",
    "tax_class",
    "unit_weight_g",
    "min_age",
)
REQUIRED = ("sku", "name", "price")
MAX_ROWS = 5000
MAX_BYTES = 2_000_000
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # as cloud/products/schemas.py
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MONEY_MAX = Decimal("9999999999.99")


@dataclass(frozen=True)
class RowError:
    """``code`` is a message key (``csv.<code>`` in the catalogs); ``field`` names the column."""

    code: str
    field: str = ""


@dataclass
class Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    outcome: str = ""
    """create / update / skipped, filled in by the import."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedCsv:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    """File-level problems (encoding, header); when present no row is imported."""

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) or GB18030, as spreadsheets in China often save."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse_products(data: bytes) -> ParsedCsv:
    result = ParsedCsv()
    if len(data) > MAX_BYTES:
        result.errors.append(RowError("too_big"))
        return result
    text = decode(data)
    if text is None:
        result.errors.append(RowError("encoding"))
        return result
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            result.errors.append(RowError("empty"))
            return result
        names = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            result.errors.extend(RowError("missing_column", c) for c in missing)
            return result
        unknown = [n for n in names if n not in COLUMNS]
        result.errors.extend(RowError("unknown_column", n[:40]) for n in unknown[:5])
        if result.errors:
            return result
        seen: set[str] = set()
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(result.rows) >= MAX_ROWS:
                result.errors.append(RowError("too_many_rows"))
                break
            row = _row(reader.line_num, names, cells)
            sku = row.values.get("sku")
            if isinstance(sku, str):
                if sku in seen:
                    row.errors.append(RowError("duplicate", "sku"))
                seen.add(sku)
            result.rows.append(row)
    except csv.Error:
        result.errors.append(RowError("malformed"))
    return result


def _row(line: int, names: Sequence[str], cells: Sequence[str]) -> Row:
    row = Row(line=line)
    if len(cells) > len(names):
        row.errors.append(RowError("extra_cells"))
    raw = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
    for name in COLUMNS:
        value = raw.get(name, "")
        if not value:
            if name in REQUIRED:
                row.errors.append(RowError("required", name))
            continue
        _field(row, name, value)
    return row


def _field(row: Row, name: str, value: str) -> None:
    if name == "sku":
        if _SKU.match(value):
            row.values[name] = value
        else:
            row.errors.append(RowError("bad_sku", name))
    elif name in ("name", "name_zh"):
        if len(value) > 200:
            row.errors.append(RowError("too_long", name))
        else:
            row.values[name] = value
    elif name in ("price", "member_price", "cost"):
        money = _decimal(value, places=2, maximum=MONEY_MAX)
        if money is None:
            row.errors.append(RowError("bad_money", name))
        else:
            row.values[name] = money
    elif name == "unit_weight_g":
        grams = _decimal(value, places=3, maximum=Decimal("9999999.999"))
        if grams is None or grams == 0:
            row.errors.append(RowError("bad_number", name))
        else:
            row.values[name] = grams
    elif name == "min_age":
        if value.isdigit() and int(value) <= 99:
            row.values[name] = int(value)
        else:
            row.errors.append(RowError("bad_number", name))
    elif name == "gtin":
        try:
            row.values[name] = normalize_gtin(value)
        except ValueError:
            row.errors.append(RowError("bad_gtin", name))
    elif _CODE.match(value):  # category, tax_class
        row.values[name] = value
    else:
        row.errors.append(RowError("bad_code", name))


def _decimal(value: str, *, places: int, maximum: Decimal) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > maximum:
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return None
    return number


def export_products(rows: Iterable[dict[str, Any]]) -> str:
    """CSV text with :data:`COLUMNS`; re-importing it changes nothing."""
    out = io.StringIO()
    # CRLF (RFC 4180): the writer quotes a field holding any line-terminator character, so a
    # bare CR in a name cannot end the row and start a new one with a formula (tests/fuzz).
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v, k in ("name", "name_zh")) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any, free_text: bool) -> str:
    if value is None:
        return ""
    text = str(value)
    # Free text starting with = + - @ (or TAB/CR before one, OWASP) runs as a formula in
    # spreadsheets: neutralise it.
    return "'" + text if free_text and text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
