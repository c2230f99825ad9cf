"""Reports as a manager reads them: translated title, columns, coded cells and notes, money
with its sign; the chart keeps numbers and gets translated axis names."""

from __future__ import annotations

from decimal import Decimal

from cloud.reports.table import Chart, Report
from cloud.web.i18n import Translator
from cloud.web.report_words import chart_report, localize


def _report() -> Report:
    return Report(
        "sales-by-category",
        "Sales by category",
        ["category", "qty", "net", "avg_basket", "avg_basket_value"],
        [["dairy", Decimal(3), Decimal("12.5"), Decimal(1), Decimal(2)]],
        chart=Chart("category", "net"),
        notes=["days_of_cover is empty when nothing sold in the range"],
    )


def test_localized_for_people() -> None:
    out = localize(_report(), Translator("zh-Hans"), "CNY")
    assert out.title == "按品类销售"
    assert out.columns[:3] == ["品类", "数量", "净额"]
    assert out.columns[3:] == ["平均客单价 (avg_basket)", "平均客单价 (avg_basket_value)"]
    assert out.rows == [["乳品蛋类", Decimal(3), "¥12.50", "¥1.00", "¥2.00"]]
    assert out.notes == ["期间内无销售时，可售天数为空。"]
    assert out.records()[0]["净额"] == "¥12.50"


def test_chart_keeps_numbers_with_translated_axes() -> None:
    out = chart_report(_report(), Translator("en"))
    assert out.chart == Chart("Category", "Net", "bar")
    assert out.rows[0][:3] == ["Dairy & eggs", Decimal(3), Decimal("12.5")]
