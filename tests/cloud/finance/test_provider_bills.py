"""A WeChat Pay trade bill (ALL) in its documented layout against the cloud's wechatpay
tenders: the charge a crash left without a sale shows up, as do sales without a charge and
different amounts; a truncated or foreign file is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cloud.finance.provider_bills import (
    BillEntry,
    BillFormatError,
    BillIssue,
    parse_wechat_trade_bill,
    reconcile,
)

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
SUMMARY = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)


def row(no: str, state: str, amount: str, refund_no: str = "", refund: str = "0.00") -> str:
    fields = [
        "2026-12-04 10:15:02",
        "wxd678efh567hg6787",
        "1900000109",
        "0",
        "kiosk-1",
        "4200001234" + no[-8:],
        no,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "MICROPAY",
        state,
        "OTHERS",
        "CNY",
        amount if state == "SUCCESS" else "0.00",
        "0.00",
        "5030" + refund_no[-8:] if refund_no else "0",
        refund_no,
        refund,
        "0.00",
        "ORIGINAL" if refund_no else "",
        "SUCCESS" if refund_no else "",
        "smartstore",
        "",
        "0.01",
        "0.60%",
        amount,
        refund,
        "",
    ]
    return ",".join("`" + f for f in fields)


def bill(*rows: str) -> str:
    return "\n".join([HEADER, *rows, SUMMARY, f"`{len(rows)},`0,`0,`0,`0,`0,`0"]) + "\n"


def test_parse_payments_and_refunds() -> None:
    text = bill(
        row("ref00000001", "SUCCESS", "12.30"),
        row("ref00000001", "REFUND", "12.30", "ret00000001", "3.50"),
    )
    assert parse_wechat_trade_bill(text) == [
        BillEntry("payment", "ref00000001", "ref00000001", Decimal("12.30")),
        BillEntry("refund", "ret00000001", "ref00000001", Decimal("3.50")),
    ]


def test_reconcile_finds_each_kind_of_difference() -> None:
    entries = parse_wechat_trade_bill(
        bill(
            row("ok000000001", "SUCCESS", "5.00"),
            row("lost0000001", "SUCCESS", "8.80"),  # charged, the sale never recorded
            row("diff0000001", "SUCCESS", "2.00"),
        )
    )
    tenders = {
        "ok000000001": Decimal("5.00"),
        "diff0000001": Decimal("2.50"),
        "gone0000001": Decimal("1.00"),  # a sale whose charge the provider never made
    }
    assert reconcile(entries, tenders) == [
        BillIssue("diff0000001", "amount_differs", Decimal("2.50"), Decimal("2.00")),
        BillIssue("gone0000001", "sold_not_charged", Decimal("1.00"), None),
        BillIssue("lost0000001", "charged_not_sold", None, Decimal("8.80")),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "date,amount\n2026-12-04,1.00\n",
        HEADER + "\n" + row("a0000000001", "SUCCESS", "1.00") + "\n",  # no summary
        bill(row("a0000000001", "SUCCESS", "1.00")).replace("`1,", "`2,"),  # truncated
        bill(row("a0000000001", "SUCCESS", "x.00")),
    ],
)
def test_not_a_bill_is_refused(text: str) -> None:
    with pytest.raises(BillFormatError):
        parse_wechat_trade_bill(text)
