"""/suppliers: the supplier master (chain-wide; head office writes it, the store roles read
it) and its CSV import and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import CatalogueReader, NowDep, Page, PageDep, SessionDep, audit, require_role
from cloud.exceptions import NotFoundError
from cloud.products import service as products
from cloud.suppliers import service
from cloud.suppliers.models import Supplier
from cloud.suppliers.schemas import (
    CsvErrorOut,
    SupplierCsvIn,
    SupplierImportOut,
    SupplierIn,
    SupplierItemIn,
    SupplierItemOut,
    SupplierOut,
    SupplierPatch,
)

router = APIRouter(prefix="/suppliers", tags=["suppliers"])
SupplierWriter = Annotated[
    Principal,
    Depends(require_role(Role.HQ, why="suppliers are chain-wide master data, head office's")),
]
CodePath = Annotated[str, Path(min_length=1, max_length=32, description="Supplier code")]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]


def supplier_out(session: SessionDep, row: Supplier, with_items: bool = False) -> SupplierOut:
    items = None
    if with_items:
        items = [
            SupplierItemOut(
                sku=sku,
                name=name,
                supplier_sku=i.supplier_sku,
                unit_cost=i.unit_cost,
                pack_size=i.pack_size,
                min_qty=i.min_qty,
                preferred=i.preferred,
            )
            for i, sku, name in service.items(session, row.id)
        ]
    return SupplierOut(
        code=row.code,
        name=row.name,
        contact=row.contact,
        phone=row.phone,
        email=row.email,
        tax_id=row.tax_id,
        payment_terms_days=row.payment_terms_days,
        lead_time_days=row.lead_time_days,
        min_order_amount=row.min_order_amount,
        active=row.active,
        items=items,
    )


@router.get("", response_model=Page[SupplierOut])
def list_suppliers(
    user: CatalogueReader,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str, Query(max_length=64, description="Code or name contains")] = "",
) -> Page[SupplierOut]:
    rows, total = service.page(session, q, page.limit, page.offset)
    items = [supplier_out(session, r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=SupplierOut, status_code=status.HTTP_201_CREATED)
def create_supplier(
    body: SupplierIn, user: SupplierWriter, session: SessionDep, now: NowDep
) -> SupplierOut:
    row = service.create(session, body.code, dict(body), now)
    audit(session, user, now, "create", "supplier", row.code)
    out = supplier_out(session, row, True)
    session.commit()
    return out


@router.get("/export.csv")
def export_csv(user: CatalogueReader, session: SessionDep) -> Response:
    """Every supplier and each product it supplies, one row per pair (the import's format)."""
    return Response(
        service.export_csv(session),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="suppliers.csv"'},
    )


@router.post("/import", response_model=SupplierImportOut)
def import_csv(
    body: SupplierCsvIn, user: SupplierWriter, session: SessionDep, now: NowDep
) -> SupplierImportOut:
    """Create or update suppliers and their products; bad rows are reported, not applied."""
    result = service.import_csv(session, body.csv, now)
    audit(session, user, now, "import", "supplier", details={"created": result.created})
    session.commit()
    return SupplierImportOut(
        created=result.created,
        updated=result.updated,
        items=result.items,
        errors=[CsvErrorOut(line=n, message=m) for n, m in result.errors or []],
    )


@router.get("/{code}", response_model=SupplierOut)
def get_supplier(code: CodePath, user: CatalogueReader, session: SessionDep) -> SupplierOut:
    return supplier_out(session, service.get(session, code), True)


@router.patch("/{code}", response_model=SupplierOut)
def update_supplier(
    code: CodePath, body: SupplierPatch, user: SupplierWriter, session: SessionDep, now: NowDep
) -> SupplierOut:
    row = service.update(session, service.get(session, code), dict(body), now)
    audit(
        session,
        user,
        now,
        "update",
        "supplier",
        row.code,
        details=body.model_dump(mode="json", exclude_none=True),
    )
    out = supplier_out(session, row, True)
    session.commit()
    return out


def _product_id(session: SessionDep, sku: str) -> int:
    product = products.find_product(session, sku)
    if product is None:
        raise NotFoundError(f"product {sku!r} not found")
    return product.id


@router.put("/{code}/items/{sku}", response_model=SupplierOut)
def set_item(
    code: CodePath,
    sku: SkuPath,
    body: SupplierItemIn,
    user: SupplierWriter,
    session: SessionDep,
    now: NowDep,
) -> SupplierOut:
    """What the supplier charges for a product per unit, its pack size and item code."""
    row = service.get(session, code)
    service.set_item(session, row, _product_id(session, sku), **dict(body))
    audit(session, user, now, "set_item", "supplier", row.code, details={"sku": sku})
    out = supplier_out(session, row, True)
    session.commit()
    return out


@router.delete("/{code}/items/{sku}", status_code=status.HTTP_204_NO_CONTENT)
def remove_item(
    code: CodePath, sku: SkuPath, user: SupplierWriter, session: SessionDep, now: NowDep
) -> Response:
    row = service.get(session, code)
    service.remove_item(session, row, _product_id(session, sku))
    audit(session, user, now, "remove_item", "supplier", row.code, details={"sku": sku})
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
