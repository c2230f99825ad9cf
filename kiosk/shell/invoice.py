"""The shopper's invoice request for the sale on screen: one ``invoice_request`` event."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from contracts.messages import InvoiceRequestData
from kiosk.exceptions import ReturnError
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


def request_invoice(session: Session, buyer_name: str, tax_id: str = "", email: str = "") -> str:
    """The shopper asks for an invoice for the sale just paid (or still on screen): an
    ``invoice_request`` event through the outbox; the cloud records it and renders the PDF."""
    with session.lock:
        sale = session.co.sale
    if sale is None:
        raise ReturnError("no paid sale on screen", "no_sale")
    try:
        data = InvoiceRequestData(
            sale_id=sale.sale_id, buyer_name=buyer_name.strip(), tax_id=tax_id.strip(), email=email
        )
    except ValidationError as exc:
        raise ReturnError("name or tax id not valid", "bad_invoice") from exc
    with session.store.outbox.transaction() as tx:
        tx.emit("invoice_request", data)
    log.info("invoice requested for sale %s", sale.sale_id)
    return str(sale.sale_id)
