"""The product CSV parser: never raises, reports each bad row with its line; export round-trips."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.web.csv_import import export_products, parse_products


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_report_not_an_exception(data: bytes) -> None:
    result = parse_products(data)
    assert result.errors or all(r.line >= 2 for r in result.rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=20))
def test_any_cells_under_a_valid_header(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name", "price"])
    writer.writerows(rows)
    result = parse_products(out.getvalue().encode())
    assert not result.errors or result.errors[0].code == "malformed"
    for row in result.rows:
        assert row.ok == (not row.errors)
        if row.ok:
            assert isinstance(row.values["price"], Decimal)
            assert row.values["price"] >= 0


def test_row_errors_name_the_line_and_the_field() -> None:
    data = (
        b"sku,name,price,gtin\n"
        b"A-1,Tea,1.50,4006381333931\n"
        b"A-2,Bad,1.5.0,\n"
        b"A-1,Dup,2.00,\n"
        b",No sku,2.00,4006381333932\n"
    )
    result = parse_products(data)
    assert not result.errors
    report = {r.line: [(e.code, e.field) for e in r.errors] for r in result.rows}
    assert report == {
        2: [],
        3: [("bad_money", "price")],
        4: [("duplicate", "sku")],
        5: [("required", "sku"), ("bad_gtin", "gtin")],
    }
    assert result.rows[0].values["gtin"] == "04006381333931"


def test_missing_column_and_gb18030_file() -> None:
    assert [e.code for e in parse_products(b"sku,name\nA,B\n").errors] == ["missing_column"]
    zh = "sku,name,price\nT-1,乌龙茶,12.00\n".encode("gb18030")
    result = parse_products(zh)
    assert result.rows[0].values["name"] == "乌龙茶"


def test_export_reimports_unchanged_and_neutralises_formulas() -> None:
    rows = [{"sku": "A-1", "name": "=HYPERLINK(1)", "price": Decimal("1.50"), "gtin": None}]
    text = export_products(rows)
    assert "'=HYPERLINK(1)" in text
    again = parse_products(text.encode())
    assert again.rows[0].values["sku"] == "A-1"
    assert again.rows[0].values["price"] == Decimal("1.50")
