"""/invoices: request (console, or anyone holding the receipt), list, export CSV, PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from cloud.deps import (
    CurrentUser,
    NowDep,
    SessionDep,
    StaffUser,
    UtcQueryTime,
    audit,
    check_store_id,
    scope_store_ids,
)
from cloud.exceptions import NotFoundError
from cloud.invoices import pdf, service
from cloud.invoices.models import Invoice
from cloud.invoices.schemas import InvoiceIn, InvoiceOut, ReceiptInvoiceIn
from cloud.returns.service import sale_number

router = APIRouter(prefix="/invoices", tags=["invoices"])
InvoiceNo = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Z0-9-]+$")]


def invoice_out(inv: Invoice, sale_id: str) -> InvoiceOut:
    return InvoiceOut(
        invoice_no=inv.invoice_no,
        sale_id=sale_id,
        buyer_name=inv.buyer_name,
        tax_id=inv.tax_id,
        amount=inv.amount,
        tax=inv.tax,
        source=inv.source,
        requested_at=inv.requested_at,
        pdf_url=f"/api/v1/invoices/{inv.invoice_no}/pdf",
    )


@router.post("", response_model=InvoiceOut, status_code=201)
def request_invoice(
    body: InvoiceIn, user: StaffUser, session: SessionDep, now: NowDep
) -> InvoiceOut:
    sale_id = sale_number(body.sale_id)
    inv = service.request_invoice(
        session,
        sale_id=sale_id,
        buyer_name=body.buyer_name,
        tax_id=body.tax_id,
        email=body.email,
        now=now,
        source="console",
    )
    check_store_id(user, inv.store_id)
    audit(session, user, now, "create", "invoice", inv.id, details={"sale_id": sale_id})
    out = invoice_out(inv, sale_id)
    session.commit()
    return out


@router.post("/receipt", response_model=InvoiceOut, status_code=201)
def request_from_receipt(body: ReceiptInvoiceIn, session: SessionDep, now: NowDep) -> InvoiceOut:
    """No login: the shopper scanned the receipt QR; the printed total must match."""
    sale_id = sale_number(body.sale_id)
    inv = service.request_invoice(
        session,
        sale_id=sale_id,
        buyer_name=body.buyer_name,
        tax_id=body.tax_id,
        email=body.email,
        now=now,
        source="receipt",
        proof_total=body.total,
    )
    out = invoice_out(inv, sale_id)
    session.commit()
    return out


@router.get("", response_model=list[InvoiceOut])
def list_invoices(
    user: CurrentUser,
    session: SessionDep,
    from_: Annotated[UtcQueryTime, Query(alias="from")],
    to: UtcQueryTime,
    store: Annotated[str | None, Query(max_length=32)] = None,
) -> list[InvoiceOut]:
    rows = service.in_period(session, scope_store_ids(session, user, store), from_, to)
    ids = service.sale_ids_of(session, rows)
    return [invoice_out(i, ids.get(i.sale_pk, "")) for i in rows[:1000]]


@router.get("/export.csv")
def export(
    user: CurrentUser,
    session: SessionDep,
    from_: Annotated[UtcQueryTime, Query(alias="from")],
    to: UtcQueryTime,
    store: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    rows = service.in_period(session, scope_store_ids(session, user, store), from_, to)
    body = service.export_csv(rows, service.sale_ids_of(session, rows))
    name = f"invoices-{from_:%Y%m%d}-{to:%Y%m%d}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{invoice_no}/pdf")
def invoice_pdf(invoice_no: InvoiceNo, user: CurrentUser, session: SessionDep) -> Response:
    inv = service.get(session, invoice_no)
    if inv is None:
        raise NotFoundError(f"invoice {invoice_no} not found")
    check_store_id(user, inv.store_id)
    body = pdf.render(service.document(session, inv))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice_no}.pdf"'},
    )
