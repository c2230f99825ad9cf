"""Between the API's bodies and the purchasing services: order answers, and lines or counts
named by SKU or barcode turned into product ids and line numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cloud.exceptions import NotFoundError
from cloud.products import service as products
from cloud.purchasing.models import PurchaseOrder
from cloud.purchasing.schemas import CountIn, LineIn, LineOut, OrderOut
from cloud.purchasing.service import orders, receiving
from cloud.purchasing.service.view import OrderView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def order_out(v: OrderView, with_lines: bool = False) -> OrderOut:
    o = v.order
    lines = None
    if with_lines:
        lines = [
            LineOut(
                line_no=lv.line.line_no,
                sku=lv.sku,
                name=lv.name,
                barcodes=list(lv.gtins),
                supplier_sku=lv.line.supplier_sku,
                pack_size=lv.line.pack_size,
                qty_ordered=lv.line.qty_ordered,
                unit_cost=lv.line.unit_cost,
                qty_received=lv.line.qty_received,
                qty_damaged=lv.line.qty_damaged,
                qty_returned=lv.line.qty_returned,
                qty_open=orders.open_qty(lv.line),
            )
            for lv in v.lines
        ]
    return OrderOut(
        number=o.number,
        store=v.store.code,
        supplier=v.supplier.code,
        status=o.status,
        source=o.source,
        note=o.note,
        total=o.total,
        created_at=o.created_at,
        created_by=o.created_by,
        approved_at=o.approved_at,
        approved_by=o.approved_by,
        sent_at=o.sent_at,
        expected_on=o.expected_on,
        received_at=o.received_at,
        closed_at=o.closed_at,
        paid_amount=o.paid_amount,
        lines=lines,
    )


def lines_of(session: Session, body: Sequence[LineIn]) -> list[orders.LineIn]:
    ids = products.ids_by_sku(session, {ln.sku for ln in body})
    missing = sorted({ln.sku for ln in body} - ids.keys())
    if missing:
        raise NotFoundError(f"product(s) not found: {', '.join(map(repr, missing[:20]))}")
    return [orders.LineIn(ids[ln.sku], ln.qty, ln.unit_cost) for ln in body]


def counts_of(
    session: Session, order: PurchaseOrder, body: Sequence[CountIn]
) -> list[receiving.Count]:
    out = []
    for c in body:
        line_no = c.line_no
        if line_no is None:
            line_no = receiving.line_for_code(session, order, c.code or "").line_no
        out.append(receiving.Count(line_no, c.qty, c.damaged, c.reason))
    return out
