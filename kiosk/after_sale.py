"""After-sale documents of the kiosk: the return slip and the shopper's invoice request.

Pure layout (the slip is a :class:`~kiosk.printer.receipt.Receipt`) and one outbox write;
the return itself is :mod:`kiosk.returns`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from contracts.messages import InvoiceRequestData, ReturnData, SaleData
from contracts.refunds import RefundPlan
from kiosk.exceptions import ReturnError
from kiosk.printer.receipt import Receipt, ReceiptDiscount, ReceiptLine, StoreHeader, TenderRow

log = logging.getLogger(__name__)


def return_receipt(
    event: ReturnData,
    sale: SaleData,
    plan: RefundPlan,
    refunds: Sequence[tuple[str, Decimal, str]],
    store_name: str,
    kiosk_id: str,
) -> Receipt:
    """The return slip: returned lines at their sold price, reversed discounts, refund tenders.

    ``total`` is the refund; ``subtotal − discount_total`` equals it (tax included).
    """
    lines = []
    for x in plan.lines:
        sold = sale.lines[x.line_no - 1]
        lines.append(
            ReceiptLine(
                name=sold.name,
                qty=x.qty,
                unit_price=sold.unit_price,
                amount=x.amount + x.discount,
                discounts=(ReceiptDiscount(name="discount", amount=x.discount),)
                if x.discount
                else (),
                weighed=sold.qty != sold.qty.to_integral_value(),
            )
        )
    return Receipt(
        store=StoreHeader(name=store_name),
        kiosk_id=kiosk_id,
        receipt_no=event.return_id[:12],
        time=event.completed_at,
        currency=sale.currency,
        lines=tuple(lines),
        subtotal=plan.total + plan.discount,
        discount_total=plan.discount,
        tax_inclusive=True,
        tax_total=plan.tax,
        total=plan.total,
        tenders=tuple(
            TenderRow(method=method, amount=amount, reference=ref[-6:])
            for method, amount, ref in refunds
        ),
        footer=(
            "*** RETURN / 退货 ***",
            f"Sale {sale.sale_id[:24]}",
            f"By {event.approved_by or '-'}: {event.reason[:40]}",
        ),
    )


def request_invoice(ctl: Any, buyer_name: str, tax_id: str = "", email: str = "") -> str:
    """The shopper asks for an invoice for the sale just paid (or still on screen): an
    ``invoice_request`` event through the outbox; the cloud records it and renders the PDF."""
    with ctl.lock:
        sale = ctl.co.sale
    if sale is None:
        raise ReturnError("no paid sale on screen", "no_sale")
    try:
        data = InvoiceRequestData(
            sale_id=sale.sale_id, buyer_name=buyer_name.strip(), tax_id=tax_id.strip(), email=email
        )
    except ValidationError as exc:
        raise ReturnError("name or tax id not valid", "bad_invoice") from exc
    with ctl.store.outbox.transaction() as tx:
        tx.emit("invoice_request", data)
    log.info("invoice requested for sale %s", sale.sale_id)
    return str(sale.sale_id)
