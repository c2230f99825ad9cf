"""Product CSV import (console) and export: hostile files are refused row by row, never a crash;
exported free text can never run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from cloud.web.csv_import import COLUMNS, REQUIRED, export_products, parse_products
from tests.fuzz.strategies import FUZZ, hostile_bytes, hostile_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
VALID = (
    "sku,name,price,gtin,category\n"
    "SKU-1,Milk 1L,12.50,6901234567892,dairy\n"
    'SKU-2,=HYPERLINK("http://x"),3.00,,\n'
)
cells = hostile_text | st.sampled_from(["12.50", "-1", "1e9", "NaN", "0", "6901234567892", '"'])


@FUZZ
@given(data=hostile_bytes)
def test_any_bytes_give_a_result_not_an_exception(data: bytes) -> None:
    parsed = parse_products(data)
    assert parsed.errors or all(r.ok or r.errors for r in parsed.rows)


@FUZZ
@given(
    header=st.lists(st.sampled_from([*COLUMNS, "evil", ""]), min_size=1, max_size=12),
    rows=st.lists(st.lists(cells, max_size=12), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_random_sheets_import_or_say_why(
    header: list[str], rows: list[list[str]], encoding: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    parsed = parse_products(data)
    if parsed.errors:
        assert all(e.code for e in parsed.errors)
        return
    assert all(c in header for c in REQUIRED)
    for row in parsed.rows:
        assert row.ok or all(e.code for e in row.errors)
        if row.ok:
            assert set(REQUIRED) <= set(row.values)


@FUZZ
@given(cut=st.integers(0, len(VALID)), junk=hostile_bytes)
def test_a_valid_file_cut_or_spliced_never_crashes(cut: int, junk: bytes) -> None:
    parse_products(VALID.encode()[:cut] + junk + VALID.encode()[cut:])


@FUZZ
@given(name=hostile_text, name_zh=hostile_text)
def test_exported_free_text_never_starts_a_formula(name: str, name_zh: str) -> None:
    text = export_products([{"sku": "SKU-1", "name": name, "name_zh": name_zh, "price": "1.00"}])
    (row,) = list(csv.DictReader(io.StringIO(text, newline="")))
    for column in ("name", "name_zh"):
        assert not row[column].startswith(FORMULA_STARTS), row[column]


def test_regression_a_carriage_return_in_a_name_cannot_start_a_formula_row() -> None:
    """Found by the fuzz test above: with LF-only output a bare CR was not quoted, so
    ``"x\\r=cmd"`` split the row and began a new one with a formula."""
    text = export_products([{"sku": "A-1", "name": "x\r=1+1", "name_zh": "\t=2+2", "price": "1"}])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    assert rows[1][1] == "x\r=1+1"
    assert rows[1][2] == "'\t=2+2"
    again = parse_products(text.encode())
    assert again.rows[0].ok
