"""From a completed sale to the printer teammate's :class:`~kiosk.printer.service.Printer`.

The sale is the source of truth: the receipt is derived from it (and can be derived again
for a reprint after a reboot), never stored separately.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from contracts.messages import SaleData
from contracts.pricebook import PriceBook
from contracts.pricing import points_earned
from kiosk.config import KioskConfig
from kiosk.exceptions import PrintFailed
from kiosk.printer.exceptions import PrinterError, PrinterFault
from kiosk.printer.receipt import (
    MemberBlock,
    Receipt,
    ReceiptDiscount,
    ReceiptLine,
    StoreHeader,
    TenderRow,
    mask_card,
    mask_phone,
)
from kiosk.printer.service import Printer
from kiosk.receipt_codes import RECEIPT_URL
from kiosk.receipt_printing import ReceiptPrinter


def sale_receipt(
    sale: SaleData,
    book: PriceBook,
    store_name: str,
    kiosk_id: str,
    language: str = "en",
    reprint: bool = False,
) -> Receipt:
    member = sale.model_dump(mode="json").get("member") or None
    paid = sum((t.amount for t in sale.tenders if t.method != "points"), Decimal(0)) - sale.change
    block = None
    if member:
        masked = mask_phone(member["phone"]) if "phone" in member else mask_card(member["card"])
        redeemed = int(getattr(sale, "points_redeemed", 0) or 0)
        block = MemberBlock(
            masked_id=masked, points_earned=points_earned(book, paid), points_redeemed=redeemed
        )
    try:
        tz = ZoneInfo(book.timezone)
    except (ValueError, KeyError):
        tz = None
    return Receipt(
        store=StoreHeader(name=store_name),
        kiosk_id=kiosk_id,
        receipt_no=sale.sale_id[:12],
        time=sale.completed_at.astimezone(tz) if tz else sale.completed_at,
        currency=sale.currency,
        lines=tuple(
            ReceiptLine(
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                amount=ln.amount,
                discounts=tuple(
                    ReceiptDiscount(name=d.promotion, amount=d.amount) for d in ln.discounts
                ),
                weighed=ln.qty != ln.qty.to_integral_value(),
            )
            for ln in sale.lines
        ),
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_inclusive=sale.tax_inclusive,
        tax_total=sale.tax_total,
        total=sale.total,
        tenders=tuple(
            TenderRow(method=t.method, amount=t.amount, reference=t.reference[-6:])
            for t in sale.tenders
        ),
        change=sale.change,
        member=block,
        qr_url=f"{RECEIPT_URL}{sale.sale_id}",
        reprint=reprint,
        language="zh-Hans" if language == "zh-Hans" else "en",  # type: ignore[arg-type]
    )


class SalePrinter:
    """Adapts :class:`Printer` to the controller's ``print_sale``; faults → :class:`PrintFailed`."""

    def __init__(
        self, printer: Printer, config: KioskConfig, book: Callable[[], PriceBook]
    ) -> None:
        self.printer = printer
        self.config = config
        self.book = book

    def print_sale(self, sale: SaleData, reprint: bool = False) -> None:
        receipt = sale_receipt(
            sale,
            self.book(),
            self.config.checkout.store_name,
            self.config.identity.node,
            self.config.ui.language,
            reprint,
        )
        try:
            self.printer.print_receipt(receipt)
        except PrinterFault as exc:
            raise PrintFailed(str(exc), str(exc.code)) from exc
        except PrinterError as exc:
            raise PrintFailed(str(exc), "printer_offline") from exc


def printer_adapter(config: KioskConfig, book: Callable[[], PriceBook]) -> ReceiptPrinter:
    return SalePrinter(Printer(config.printer), config, book)
