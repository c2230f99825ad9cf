"""The supplier performance report over the orders created in a period (local days)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud.purchasing import repository
from cloud.purchasing.performance import OrderFacts, figures
from cloud.reports.table import Cell, Chart, Report
from cloud.suppliers import service as suppliers

DELIVERED = ("partially_received", "received", "closed")
COLUMNS = [
    "supplier",
    "name",
    "orders",
    "on_time_pct",
    "avg_days_late",
    "fill_rate_pct",
    "spend",
]


def supplier_report(
    session: Session, store_ids: Collection[int] | None, first: date, last: date, tz: ZoneInfo
) -> Report:
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    found = [
        o for o in repository.orders_since(session, store_ids, start, DELIVERED)
        if o.created_at < end
    ]  # fmt: skip
    lines = repository.lines_of(session, [o.id for o in found])
    last_receipt: dict[int, datetime] = {}
    for order_id, _, _, _, at in repository.receipts_of(session, [o.id for o in found]):
        last_receipt[order_id] = max(at, last_receipt.get(order_id, at))
    names = suppliers.by_ids(session, {o.supplier_id for o in found})
    facts = [
        OrderFacts(
            supplier=names[o.supplier_id].code,
            expected_on=o.expected_on,
            delivered_on=last_receipt[o.id].astimezone(tz).date(),
            finished=o.status != "partially_received",
            lines=tuple(
                (ln.qty_ordered, ln.qty_received, ln.qty_returned, ln.unit_cost)
                for ln in lines[o.id]
            ),
        )
        for o in found
        if o.id in last_receipt
    ]
    by_code = {s.code: s.name for s in names.values()}
    rows: list[list[Cell]] = [
        [code, by_code[code], f.orders, f.on_time_pct, f.avg_days_late, f.fill_rate_pct, f.spend]
        for code, f in sorted(figures(facts).items())
    ]
    return Report(
        "supplier-performance",
        "Supplier performance",
        COLUMNS,
        rows,
        params={"from": first.isoformat(), "to": last.isoformat()},
        chart=Chart("supplier", "spend"),
    )
