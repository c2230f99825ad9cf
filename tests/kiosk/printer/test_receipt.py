"""The pure layout: columns for 32/42/48 chars, CJK double width, never wider than paper."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.printer.receipt import (
    Cut,
    QrCode,
    Receipt,
    ReceiptDiscount,
    ReceiptLine,
    StoreHeader,
    TenderRow,
    Text,
    layout,
    mask_card,
    mask_phone,
)
from kiosk.printer.text import columns, text_width, wrap
from tests.kiosk.printer.conftest import full_receipt


def _texts(receipt: Receipt, width: int) -> list[Text]:
    return [op for op in layout(receipt, width) if isinstance(op, Text)]


def _fits(op: Text, width: int) -> bool:
    return text_width(op.text) * (2 if op.double else 1) <= width


@pytest.mark.parametrize("width", [32, 42, 48])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_full_receipt_fits_each_paper(width: int, language: str) -> None:
    ops = layout(full_receipt(language), width)
    assert all(_fits(op, width) for op in ops if isinstance(op, Text))
    assert isinstance(ops[-1], Cut)
    assert any(isinstance(op, QrCode) for op in ops)


def test_amounts_are_right_aligned_in_columns() -> None:
    lines = [op.text for op in _texts(full_receipt("en"), 42)]
    assert "  3 x 3.50" + " " * 27 + "10.50" in lines
    assert any(t.startswith("  15% off drinks") and t.endswith("-1.59") for t in lines)
    assert all(len(t) == 42 for t in lines if t.endswith(("10.50", "-1.59", "29.70")))


def test_cjk_counts_double_when_aligning() -> None:
    lines = [op.text for op in _texts(full_receipt("zh"), 32)]
    change = next(t for t in lines if t.startswith("找零"))
    assert text_width(change) == 32
    assert change.endswith("29.70")
    assert len(change) == 30  # two wide characters take four columns


def test_total_is_bold_double_and_fits_half_the_width() -> None:
    total = next(op for op in _texts(full_receipt("en"), 32) if "TOTAL" in op.text)
    assert total.bold
    assert total.double
    assert text_width(total.text) == 16


def test_reprint_banner_and_member_masking() -> None:
    receipt = full_receipt("en").model_copy(update={"reprint": True})
    texts = [op.text for op in _texts(receipt, 42)]
    assert "*** REPRINT ***" in texts
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86*******5678"
    assert mask_card("MC-00012345") == "*******2345"
    assert mask_phone("123") == "***"


def test_wrap_and_columns_never_exceed_width() -> None:
    assert wrap("可口可乐零度无糖饮料", 8) == ["可口可乐", "零度无糖", "饮料"]
    assert columns("a" * 50, "9.99", 20)[-1].endswith("9.99")
    assert wrap("", 10) == [""]


names = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs", "S", "M", "Cc"), max_codepoint=0x2FFFF),
    max_size=80,
)
money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)


@settings(max_examples=150, deadline=None)
@given(
    width=st.sampled_from([32, 42, 48]),
    store=names,
    items=st.lists(st.tuples(names, money, names), max_size=6),
    footer=st.lists(names, max_size=2),
    member=st.one_of(st.none(), names),
    language=st.sampled_from(["en", "zh"]),
)
def test_layout_is_never_wider_than_the_paper(
    width: int,
    store: str,
    items: list[tuple[str, Decimal, str]],
    footer: list[str],
    member: str | None,
    language: str,
) -> None:
    from kiosk.printer.receipt import MemberBlock

    receipt = Receipt(
        store=StoreHeader(name=store or "x", address=store, phone=store),
        kiosk_id="k1",
        receipt_no="R-1",
        time=datetime(2024, 1, 1),
        lines=tuple(
            ReceiptLine(
                name=name,
                qty=Decimal(2),
                unit_price=price,
                amount=price * 2,
                discounts=(ReceiptDiscount(name=disc, amount=price),),
            )
            for name, price, disc in items
        ),
        subtotal=Decimal("123456.78"),
        discount_total=Decimal("1.00"),
        tax_total=Decimal("0.10"),
        total=Decimal("99999.99"),
        member=None if member is None else MemberBlock(masked_id=member or "x"),
        footer=tuple(footer),
        language="zh" if language == "zh" else "en",
    )
    for op in layout(receipt, width):
        if isinstance(op, Text):
            assert _fits(op, width), op
            assert not any(ord(c) < 32 for c in op.text)


@pytest.mark.parametrize(("language", "label"), [("en", "Paid online"), ("zh", "线上已付")])
def test_an_online_order_prints_its_online_tender(language: str, label: str) -> None:
    """A collected online order's receipt names the online payment, not a raw method code."""
    receipt = full_receipt(language).model_copy(
        update={"tenders": (TenderRow(method="online", amount=Decimal("25.00")),), "change": 0}
    )
    lines = [op.text for op in _texts(receipt, 42)]
    assert any(text.startswith(label) and text.endswith("25.00") for text in lines), lines
