"""Supplier master data: create, change, the products each supplies, and which supplier a
product is bought from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.products import service as products
from cloud.suppliers import csv_io, repository
from cloud.suppliers.models import Supplier, SupplierItem

FIELDS = (
    "name",
    "contact",
    "phone",
    "email",
    "tax_id",
    "payment_terms_days",
    "lead_time_days",
    "min_order_amount",
    "active",
)


@dataclass(frozen=True, slots=True)
class Offer:
    """What one supplier asks for one product (the reorder planner's input)."""

    supplier_id: int
    supplier_code: str
    product_id: int
    supplier_sku: str
    unit_cost: Decimal
    pack_size: int
    min_qty: Decimal
    lead_time_days: int
    min_order_amount: Decimal


def find(session: Session, code: str) -> Supplier | None:
    return repository.by_code(session, code)


def get(session: Session, code: str) -> Supplier:
    row = repository.by_code(session, code)
    if row is None:
        raise NotFoundError(f"supplier {code!r} not found")
    return row


def by_ids(session: Session, ids: Iterable[int]) -> dict[int, Supplier]:
    return repository.by_ids(session, ids)


def page(session: Session, q: str, limit: int, offset: int) -> tuple[Sequence[Supplier], int]:
    return repository.page(session, q, limit, offset)


def all_suppliers(session: Session) -> Sequence[Supplier]:
    return repository.all_suppliers(session)


def _check(values: dict[str, object]) -> None:
    for key in ("payment_terms_days", "lead_time_days"):
        value = values.get(key)
        if isinstance(value, int) and not 0 <= value <= 365:
            raise ValidationFailedError(f"{key} must be 0..365")
    amount = values.get("min_order_amount")
    if isinstance(amount, Decimal) and amount < 0:
        raise ValidationFailedError("min_order_amount must not be negative")


def create(session: Session, code: str, values: dict[str, object], now: datetime) -> Supplier:
    if repository.by_code(session, code) is not None:
        raise ConflictError(f"supplier {code!r} exists")
    if not str(values.get("name") or "").strip():
        raise ValidationFailedError("a supplier needs a name")
    _check(values)
    row = Supplier(code=code, updated_at=now)
    for key in FIELDS:
        if key in values:
            setattr(row, key, values[key])
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: Supplier, values: dict[str, object], now: datetime) -> Supplier:
    _check(values)
    for key in FIELDS:
        if key in values and values[key] is not None:
            setattr(row, key, values[key])
    row.updated_at = now
    session.flush()
    return row


def items(session: Session, supplier_id: int) -> list[tuple[SupplierItem, str, str]]:
    return repository.items(session, supplier_id)


def set_item(
    session: Session,
    supplier: Supplier,
    product_id: int,
    *,
    unit_cost: Decimal,
    pack_size: int = 1,
    supplier_sku: str = "",
    min_qty: Decimal = Decimal(0),
    preferred: bool = False,
) -> SupplierItem:
    """Add or replace what ``supplier`` charges for a product."""
    if unit_cost < 0:
        raise ValidationFailedError("unit_cost must not be negative")
    if not 1 <= pack_size <= 100_000:
        raise ValidationFailedError("pack_size must be 1..100000")
    if min_qty < 0:
        raise ValidationFailedError("min_qty must not be negative")
    row = repository.item(session, supplier.id, product_id)
    if row is None:
        row = SupplierItem(supplier_id=supplier.id, product_id=product_id)
        session.add(row)
    row.unit_cost, row.pack_size, row.supplier_sku = unit_cost, pack_size, supplier_sku
    row.min_qty, row.preferred = min_qty, preferred
    session.flush()
    return row


def remove_item(session: Session, supplier: Supplier, product_id: int) -> None:
    row = repository.item(session, supplier.id, product_id)
    if row is None:
        raise NotFoundError("the supplier does not supply this product")
    session.delete(row)
    session.flush()


def offer(session: Session, supplier: Supplier, product_id: int) -> Offer | None:
    row = repository.item(session, supplier.id, product_id)
    return None if row is None else _offer(row, supplier)


def best_offers(session: Session, product_ids: Iterable[int]) -> dict[int, Offer]:
    """Per product, the supplier it is bought from: the preferred one, else the cheapest
    (then the lowest code, so the choice is stable)."""
    best: dict[int, tuple[tuple[bool, Decimal, str], Offer]] = {}
    for row, supplier in repository.sources(session, product_ids):
        key = (not row.preferred, row.unit_cost, supplier.code)
        held = best.get(row.product_id)
        if held is None or key < held[0]:
            best[row.product_id] = (key, _offer(row, supplier))
    return {pid: o for pid, (_, o) in best.items()}


def _offer(row: SupplierItem, supplier: Supplier) -> Offer:
    return Offer(
        supplier_id=supplier.id,
        supplier_code=supplier.code,
        product_id=row.product_id,
        supplier_sku=row.supplier_sku,
        unit_cost=row.unit_cost,
        pack_size=row.pack_size,
        min_qty=row.min_qty,
        lead_time_days=supplier.lead_time_days,
        min_order_amount=supplier.min_order_amount,
    )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    items: int = 0
    errors: list[tuple[int, str]] | None = None


def import_csv(session: Session, text: str, now: datetime) -> ImportResult:
    """Apply every good row (create or update the supplier, set its product); bad rows and
    unknown SKUs are reported by line and skipped."""
    parsed = csv_io.parse(text)
    errors = list(parsed.errors)
    out = ImportResult()
    ids = products.ids_by_sku(session, {str(r.item["sku"]) for r in parsed.rows if r.item})
    seen: set[str] = set()
    for row in parsed.rows:
        if row.item is not None and row.item["sku"] not in ids:
            errors.append((row.line, f"product {row.item['sku']!r} not found"))
            continue
        supplier = repository.by_code(session, row.code)
        if supplier is None:
            supplier = create(session, row.code, row.supplier, now)
            out.created += 1
        elif row.code not in seen:
            update(session, supplier, row.supplier, now)
            out.updated += 1
        seen.add(row.code)
        if row.item is not None:
            item = dict(row.item)
            sku = str(item.pop("sku"))
            set_item(session, supplier, ids[sku], **item)  # type: ignore[arg-type]
            out.items += 1
    out.errors = errors
    return out


def export_csv(session: Session) -> str:
    """Every supplier with each of its products (a supplier without products: one row)."""
    rows: list[dict[str, object]] = []
    for supplier in repository.all_suppliers(session):
        head = {k: getattr(supplier, k) for k in csv_io.SUPPLIER_COLUMNS}
        lines = repository.items(session, supplier.id)
        if not lines:
            rows.append(head)
        for item, sku, _ in lines:
            rows.append(
                head
                | {
                    "sku": sku,
                    "supplier_sku": item.supplier_sku,
                    "unit_cost": item.unit_cost,
                    "pack_size": item.pack_size,
                    "min_qty": item.min_qty,
                    "preferred": item.preferred,
                }
            )
    return csv_io.export(rows)
