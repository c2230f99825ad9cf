"""An order as people and suppliers read it: its lines with SKU, name and barcode, the
store and supplier; the document sent to the supplier, and sending it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.auth.notifier import Mail, Notifier
from cloud.products import service as products
from cloud.purchasing import documents, planning, repository
from cloud.purchasing.models import PurchaseOrder, PurchaseOrderLine
from cloud.purchasing.service.orders import mark_sent
from cloud.stores import service as stores
from cloud.stores.localtime import show, zone
from cloud.stores.models import Store
from cloud.suppliers import service as suppliers
from cloud.suppliers.models import Supplier


@dataclass(frozen=True, slots=True)
class LineView:
    line: PurchaseOrderLine
    sku: str
    name: str
    gtins: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    order: PurchaseOrder
    store: Store
    supplier: Supplier
    lines: list[LineView]


def view(session: Session, order: PurchaseOrder) -> OrderView:
    rows = repository.lines(session, order.id)
    skus = products.skus_by_id(session, {r.product_id for r in rows})
    out = []
    for row in rows:
        product = products.find_product(session, skus.get(row.product_id, ""))
        gtins = tuple(b.gtin for b in product.barcodes) if product else ()
        name = product.name if product else ""
        out.append(LineView(row, skus.get(row.product_id, ""), name, gtins))
    store = stores.store_by_id(session, order.store_id)
    supplier = suppliers.by_ids(session, [order.supplier_id])[order.supplier_id]
    assert store is not None  # a foreign key
    return OrderView(order, store, supplier, out)


def document(session: Session, order: PurchaseOrder) -> documents.OrderDoc:
    v = view(session, order)
    tz = zone(v.store.timezone)
    return documents.OrderDoc(
        number=order.number,
        store=v.store.code,
        store_name=v.store.name,
        supplier=v.supplier.code,
        supplier_name=v.supplier.name,
        ordered_on=show(order.created_at, tz)[:10],
        expected_on=order.expected_on.isoformat() if order.expected_on else "",
        lines=[
            documents.DocLine(
                line_no=lv.line.line_no,
                supplier_sku=lv.line.supplier_sku,
                sku=lv.sku,
                gtin=lv.gtins[0] if lv.gtins else "",
                name=lv.name,
                qty=lv.line.qty_ordered,
                pack_size=lv.line.pack_size,
                unit_cost=lv.line.unit_cost,
                amount=planning.amount(lv.line.qty_ordered, lv.line.unit_cost),
            )
            for lv in v.lines
        ],
        total=order.total,
    )


def send(session: Session, order: PurchaseOrder, notifier: Notifier, now: datetime) -> bool:
    """Mark the order sent and mail it to the supplier through the cloud's mail notifier
    (the outbox in development, SMTP in production). False when the supplier has no email
    address: the order is still sent (printed or phoned through)."""
    store = stores.store_by_id(session, order.store_id)
    assert store is not None
    mark_sent(session, order, store, now)
    supplier = suppliers.by_ids(session, [order.supplier_id])[order.supplier_id]
    if not supplier.email:
        return False
    doc = document(session, order)
    subject = f"Purchase order {order.number} from {store.name}"
    notifier.send(
        Mail(to=supplier.email, subject=subject, body=documents.mail_text(doc)), session, now
    )
    return True
