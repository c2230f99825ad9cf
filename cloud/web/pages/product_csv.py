"""Products as CSV: export (managers and head office), import with a dry run and a row report
(head office: the catalogue is chain-wide). Included by ``cloud.web.pages.products``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.exceptions import CloudError
from cloud.products import service
from cloud.web.console import FormDep, ViewerDep, render
from cloud.web.csv_import import ParsedCsv, Row, RowError, export_products, parse_products

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter()
"""Paths relative to ``/console``: included by the products pages' router."""


@router.get("/products.csv")
def export_csv(viewer: ViewerDep, session: SessionDep) -> Response:
    viewer.require(Role.MANAGER, Role.HQ)
    rows: list[dict[str, Any]] = []
    for p in service.all_products(session):
        gtins = sorted(b.gtin for b in p.barcodes)
        rows.append(
            {
                "sku": p.sku,
                "name": p.name,
                "name_zh": p.name_zh,
                "price": p.price,
                "member_price": p.member_price,
                "cost": p.cost,
                "gtin": gtins[0] if gtins else None,
                "category": p.category.code if p.category else None,
                "tax_class": p.tax_class,
                "unit_weight_g": p.unit_weight_g,
                "min_age": p.min_age,
            }
        )
    return Response(
        export_products(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="products.csv"'},
    )


@router.get("/products-import", response_class=HTMLResponse)
def import_form(request: Request, viewer: ViewerDep) -> HTMLResponse:
    viewer.require(Role.HQ)
    return render(request, "import.html", viewer=viewer, result=None, dry_run=True)


@router.post("/products-import", response_class=HTMLResponse)
def import_csv(
    request: Request,
    viewer: ViewerDep,
    form: FormDep,
    ctx: CtxDep,
    session: SessionDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.HQ)
    upload = form.get("file")
    dry_run = form.get("dry_run") is not None
    if not isinstance(upload, UploadFile):
        parsed = ParsedCsv(errors=[RowError("empty")])
    else:
        parsed = parse_products(upload.file.read(2_000_001))
    if not parsed.errors:
        apply_rows(session, parsed.rows, ctx, now)
        if dry_run:
            session.rollback()
        else:
            audit(
                session,
                viewer.principal,
                now,
                "import",
                "product",
                None,
                details={"rows": len(parsed.rows), "errors": len(parsed.bad_rows)},
            )
            session.commit()
    status_code = 422 if parsed.errors else 200
    return render(
        request,
        "import.html",
        viewer=viewer,
        result=parsed,
        dry_run=dry_run,
        status_code=status_code,
    )


def apply_rows(session: Session, rows: list[Row], ctx: CtxDep, now: Any) -> None:
    """Create or update each valid row in its own savepoint; DB-level problems become row
    errors (unknown category, barcode of another product) and the other rows still go in."""
    categories = {c.code: c.id for c in service.categories(session)}
    taxes = service.tax_codes(session)
    for row in rows:
        if not row.ok:
            row.outcome = "skipped"
            continue
        v = dict(row.values)
        if "category" in v and v["category"] not in categories:
            row.errors.append(RowError("unknown_category", "category"))
        if "tax_class" in v and v["tax_class"] not in taxes:
            row.errors.append(RowError("unknown_tax", "tax_class"))
        gtin = v.pop("gtin", None)
        if gtin is not None:
            owner = service.find_by_gtin(session, gtin)
            if owner is not None and owner.sku != v["sku"]:
                row.errors.append(RowError("gtin_taken", "gtin"))
        if row.errors:
            row.outcome = "skipped"
            continue
        sku, category = v.pop("sku"), v.pop("category", None)
        try:
            with session.begin_nested():
                existing = service.find_product(session, sku)
                if existing is None:
                    service.create_product(
                        session,
                        sku=sku,
                        category=category,
                        gtins=[gtin] if gtin else [],
                        publisher=ctx.publisher,
                        **v,
                    )
                    row.outcome = "create"
                else:
                    service.update_product(session, sku, publisher=ctx.publisher, **v)
                    if category is not None:
                        existing.category_id = categories[category]
                    if gtin and gtin not in {b.gtin for b in existing.barcodes}:
                        service.add_barcode(session, existing, gtin)
                    row.outcome = "update"
        except CloudError:
            row.errors.append(RowError("rejected"))
            row.outcome = "skipped"
