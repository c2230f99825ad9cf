"""Sample receipts shared by the printer tests: a full English and a full Chinese one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from kiosk.printer.receipt import (
    MemberBlock,
    Receipt,
    ReceiptDiscount,
    ReceiptLine,
    StoreHeader,
    TaxRow,
    TenderRow,
)

D = Decimal


def full_receipt(language: str = "en") -> Receipt:
    """Store header, lines with discounts, weighed item, tax, tenders, change, member, QR."""
    zh = language == "zh"
    return Receipt(
        store=StoreHeader(
            name="智慧便利店" if zh else "SmartStore Demo",
            address="上海市黄浦区南京东路100号" if zh else "100 Nanjing Rd E, Shanghai",
            phone="021-5555-0100",
            tax_id="91310101MA1FL0000X",
        ),
        kiosk_id="kiosk-1",
        receipt_no="R-000123",
        time=datetime(2024, 6, 5, 12, 0, 0),
        lines=(
            ReceiptLine(
                name="可口可乐 330毫升" if zh else "Coca-Cola 330ml can",
                qty=D(3),
                unit_price=D("3.50"),
                amount=D("10.50"),
                discounts=(
                    ReceiptDiscount(name="饮料85折" if zh else "15% off drinks", amount=D("1.59")),
                ),
            ),
            ReceiptLine(
                name="红富士苹果" if zh else "Fuji apples",
                qty=D("0.455"),
                unit_price=D("9.98"),
                amount=D("4.54"),
                weighed=True,
            ),
            ReceiptLine(
                name="薯片 烧烤味 大包装 家庭分享装"
                if zh
                else "Potato chips BBQ family size sharing bag",
                qty=D(1),
                unit_price=D("7.90"),
                amount=D("7.90"),
            ),
        ),
        subtotal=D("22.94"),
        discount_total=D("1.63"),
        taxes=(TaxRow(rate=D("0.13"), amount=D("1.03")), TaxRow(rate=D("0.09"), amount=D("1.02"))),
        tax_total=D("2.05"),
        total=D("21.30"),
        tenders=(
            TenderRow(method="points", amount=D("1.00")),
            TenderRow(method="cash", amount=D("50.00")),
        ),
        change=D("29.70"),
        member=MemberBlock(
            masked_id="138****5678", points_earned=20, points_redeemed=100, points_balance=1020
        ),
        qr_url="https://smartstore.example/r/demo/kiosk-1/R-000123",
        footer=("谢谢惠顾，欢迎再次光临" if zh else "Thank you for shopping with us!",),
        language="zh" if zh else "en",
    )


@pytest.fixture
def en_receipt() -> Receipt:
    return full_receipt("en")


@pytest.fixture
def zh_receipt() -> Receipt:
    return full_receipt("zh")
