"""Record invoice requests and list/export them per period. Rendering lives in ``pdf``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.upsert import insert_ignore
from cloud.invoices import pdf, repository
from cloud.invoices.exceptions import InvoiceExistsError, InvoiceRequestError
from cloud.invoices.models import Invoice
from cloud.returns.service import find_sale
from cloud.sales import service as sales
from cloud.stores import service as stores


def invoice_no_for(store_id: int, sale_pk: int, at: datetime) -> str:
    """Deterministic, so a kiosk request delivered twice names the same invoice."""
    return f"INV{at:%Y%m}-{store_id:03d}-{sale_pk:08d}"


def request_invoice(
    session: Session,
    *,
    sale_id: str,
    buyer_name: str,
    now: datetime,
    tax_id: str = "",
    email: str = "",
    source: str = "console",
    proof_total: str | None = None,
) -> Invoice:
    """Record the request (one invoice per sale, settled by UNIQUE(sale_pk))."""
    sale = find_sale(session, sale_id)
    if proof_total is not None and proof_total != format(sale.total, "f"):
        raise InvoiceRequestError("the total does not match the receipt")
    if not buyer_name.strip():
        raise InvoiceRequestError("the buyer's name is required")
    row = {
        "invoice_no": invoice_no_for(sale.store_id, sale.id, now),
        "sale_pk": sale.id,
        "store_id": sale.store_id,
        "buyer_name": buyer_name.strip()[:200],
        "tax_id": tax_id.strip()[:40],
        "email": email.strip()[:200],
        "amount": sale.total,
        "tax": sale.tax_total,
        "source": source,
        "requested_at": now,
    }
    new = session.execute(insert_ignore(session, Invoice).returning(Invoice.id), [row]).scalar()
    if new is None:
        raise InvoiceExistsError(f"sale {sale_id} already has an invoice")
    invoice = session.get(Invoice, new)
    assert invoice is not None
    return invoice


def record_from_kiosk(
    session: Session, *, sale_id: str, buyer_name: str, tax_id: str, email: str, now: datetime
) -> Invoice | None:
    """Ingest path: a duplicate request is a no-op, an unknown sale is logged by the caller."""
    try:
        return request_invoice(
            session,
            sale_id=sale_id,
            buyer_name=buyer_name,
            tax_id=tax_id,
            email=email,
            now=now,
            source="kiosk",
        )
    except InvoiceExistsError:
        return None


def export_csv(invoices: Sequence[Invoice], sale_ids: dict[int, str]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["invoice_no", "sale_id", "requested_at", "buyer_name", "tax_id", "amount", "tax", "source"]
    )
    for inv in invoices:
        w.writerow(
            [
                inv.invoice_no,
                sale_ids.get(inv.sale_pk, ""),
                inv.requested_at.isoformat(),
                _safe(inv.buyer_name),
                inv.tax_id,
                format(inv.amount, "f"),
                format(inv.tax, "f"),
                inv.source,
            ]
        )
    return out.getvalue()


def _safe(cell: str) -> str:
    """No spreadsheet formula injection from a buyer's name."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def sale_ids_of(session: Session, invoices: Sequence[Invoice]) -> dict[int, str]:
    from cloud.sales.models import Sale

    pks = sorted({i.sale_pk for i in invoices})
    if not pks:
        return {}
    return dict(session.execute(select(Sale.id, Sale.sale_id).where(Sale.id.in_(pks))).all())


def get(session: Session, invoice_no: str) -> Invoice | None:
    return repository.by_no(session, invoice_no)


def in_period(
    session: Session, store_ids: list[int] | None, start: datetime, end: datetime
) -> Sequence[Invoice]:
    return repository.in_period(session, store_ids, start, end)


def document(session: Session, inv: Invoice) -> pdf.InvoiceDoc:
    """What the invoice PDF shows: the seller, the buyer, and the sale's lines net of discount."""
    sale = sales.sale_by_pk(session, inv.sale_pk)
    store = stores.store_by_id(session, inv.store_id)
    assert sale is not None
    lines = sales.lines_of(session, sale.id)
    return pdf.InvoiceDoc(
        invoice_no=inv.invoice_no,
        issued=inv.requested_at.strftime("%Y-%m-%d"),
        seller=store.name if store else "",
        buyer_name=inv.buyer_name,
        tax_id=inv.tax_id,
        sale_id=sale.sale_id,
        currency=sale.currency,
        lines=[
            pdf.InvoiceLine(ln.name, ln.qty, ln.unit_price, ln.amount - ln.discount) for ln in lines
        ],
        total=inv.amount,
        tax=inv.tax,
    )
