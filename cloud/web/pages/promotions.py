"""Promotions: list, create/edit with a live preview that prices a sample basket through
``contracts.pricing.price_basket`` against the store's price book plus the rule being edited."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep
from cloud.exceptions import CloudError
from cloud.pricebook.builder import build_pricebook
from cloud.promotions import service as promotions
from cloud.promotions.models import Promotion
from cloud.promotions.rules import validate_rule
from cloud.stores import service as stores
from cloud.stores.models import Store
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError
from cloud.web.forms import saved
from contracts.pricebook import Promotion as PromotionRule
from contracts.pricing import price_basket
from contracts.pricing_model import BasketLine, PricingError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
KINDS = ("percent_off", "amount_off", "buy_x_get_y", "spend_x_save_y", "bundle_price")
KIND_FIELDS = {
    "percent_off": ("percent",),
    "amount_off": ("amount",),
    "buy_x_get_y": ("buy", "get"),
    "spend_x_save_y": ("threshold", "save"),
    "bundle_price": ("quantity", "price"),
}
VALUE_FIELDS = ("percent", "amount", "buy", "get", "threshold", "save", "quantity", "price")
MAX_BASKET_LINES = 50


def _visible(session: Session, viewer: Viewer) -> list[Promotion]:
    return promotions.visible(
        session, None if viewer.is_head_office else viewer.principal.store_ids
    )


def _stores(session: Session, viewer: Viewer) -> list[Store]:
    """Stores a promotion may be made for: head office's are all of them."""
    if viewer.is_head_office:
        return list(stores.list_stores(session))
    return viewer.stores(session)


def _time(raw: str, field: str, errors: FieldErrors, viewer: Viewer) -> str | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors[field] = viewer.t("err.datetime")
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).isoformat()


def rule_from_form(
    form: FormData, viewer: Viewer, code: str | None = None
) -> tuple[PromotionRule | None, FieldErrors]:
    """The contract rule, or field errors placed next to the form's fields."""
    errors = FieldErrors()
    kind = text(form, "kind", 32)
    if kind not in KINDS:
        errors["kind"] = viewer.t("err.required")
        return None, errors
    rule: dict[str, Any] = {
        "kind": kind,
        "id": code or text(form, "code", 64),
        "name": text(form, "name"),
        "members_only": form.get("members_only") is not None,
        "targets": {
            "skus": [s for s in text(form, "skus", 500).replace(",", " ").split() if s],
            "categories": [c for c in text(form, "categories", 500).replace(",", " ").split()],
        },
        "window": {
            "starts_at": _time(text(form, "starts_at", 40), "starts_at", errors, viewer),
            "ends_at": _time(text(form, "ends_at", 40), "ends_at", errors, viewer),
        },
    }
    for name in KIND_FIELDS[kind]:
        rule[name] = text(form, name, 20)
        if not rule[name]:
            errors[name] = viewer.t("err.required")
    if errors:
        return None, errors
    try:
        parsed = validate_rule(rule)
    except ValidationError as exc:
        for err in exc.errors():
            names = [str(p) for p in err["loc"] if isinstance(p, str)]
            field = next(
                (
                    n
                    for n in reversed(names)
                    if n in (*VALUE_FIELDS, "name", "starts_at", "ends_at")
                ),
                "",
            )
            key = {"id": "code", "skus": "skus", "categories": "categories"}.get(
                names[-1] if names else "", field or "kind"
            )
            errors.setdefault(key, err["msg"])
        return None, errors
    window = parsed.window
    if window.starts_at and window.ends_at and window.ends_at <= window.starts_at:
        errors["ends_at"] = viewer.t("err.window")
        return None, errors
    return parsed, errors


def _store_choice(session: Session, viewer: Viewer, form: FormData | None) -> Store | None:
    code = text(form, "store", 32) if form is not None else ""
    if not code:
        if not viewer.is_head_office:
            raise ForbiddenPageError("chain-wide promotions are head office's")
        return None
    return viewer.catalogue_store(session, code)


def basket_lines(raw: str) -> tuple[list[BasketLine], list[str]]:
    """``SKU qty`` per line (qty defaults to 1); returns lines and the unreadable inputs."""
    lines: list[BasketLine] = []
    bad: list[str] = []
    for i, entry in enumerate(raw.splitlines()[:MAX_BASKET_LINES]):
        parts = entry.replace(",", " ").split()
        if not parts:
            continue
        try:
            qty = Decimal(parts[1]) if len(parts) > 1 else Decimal(1)
        except InvalidOperation:
            bad.append(entry[:60])
            continue
        if len(parts) > 2 or not qty.is_finite() or qty <= 0 or qty > 9999:
            bad.append(entry[:60])
            continue
        lines.append(BasketLine(line_id=f"L{i + 1:03d}", sku=parts[0][:64], qty=qty))
    return lines, bad


@router.get("/promotions", response_class=HTMLResponse)
def promotion_list(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
    codes = stores.codes(session)
    return render(
        request, "promotions.html", viewer=viewer, rows=_visible(session, viewer), store_codes=codes
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    promo: Promotion | None,
    form: FormData | None,
    errors: FieldErrors,
    status_code: int = 200,
) -> HTMLResponse:
    store_code = None
    if promo is not None and promo.store_id is not None:
        row = stores.store_by_id(session, promo.store_id)
        store_code = row.code if row else None
    return render(
        request,
        "promotion_form.html",
        viewer=viewer,
        promo=promo,
        form=form,
        errors=errors,
        kinds=KINDS,
        kind_fields=KIND_FIELDS,
        stores=_stores(session, viewer),
        store_code=store_code,
        status_code=status_code,
    )


@router.get("/promotions/new", response_class=HTMLResponse)
def new_promotion(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
    return _form_page(request, viewer, session, None, None, FieldErrors())


@router.post("/promotions/new", response_model=None)
def create_promotion(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER, Role.HQ)
    store = _store_choice(session, viewer, form)
    rule, errors = rule_from_form(form, viewer)
    if rule is not None and promotions.find_promotion(session, rule.id) is not None:
        errors["code"] = viewer.t("err.taken")
    if rule is None or errors:
        return _form_page(request, viewer, session, None, form, errors, 422)
    row = promotions.create_promotion(
        session,
        rule.model_dump(mode="json"),
        store_id=store.id if store else None,
        publisher=ctx.publisher,
    )
    row.active = form.get("active") is not None
    return saved(
        session,
        viewer,
        now,
        "create",
        "promotion",
        row.code,
        to=f"/console/promotions/{row.code}?saved=1",
        store_id=row.store_id,
        details={"rule": row.rule, "via": "console"},
    )


def _editable(session: Session, viewer: Viewer, code: str) -> Promotion:
    if "\x00" in code:
        raise PageNotFoundError("no such promotion")
    row = promotions.find_promotion(session, code[:64])
    if row is None:
        raise PageNotFoundError(f"promotion {code!r} not found")
    if viewer.is_head_office:
        return row
    if row.store_id is None:
        raise ForbiddenPageError("chain-wide promotions are edited by head office")
    if not viewer.principal.can_access_store(row.store_id):
        raise ForbiddenPageError("promotion of another store")
    return row


@router.get("/promotions/{code}", response_class=HTMLResponse)
def edit_promotion_form(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
    return _form_page(
        request, viewer, session, _editable(session, viewer, code), None, FieldErrors()
    )


@router.post("/promotions/{code}", response_model=None)
def update_promotion(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER, Role.HQ)
    row = _editable(session, viewer, code)
    rule, errors = rule_from_form(form, viewer, code=row.code)
    if rule is None:
        return _form_page(request, viewer, session, row, form, errors, 422)
    promotions.update_promotion(
        session,
        row.code,
        rule.model_dump(mode="json"),
        active=form.get("active") is not None,
        publisher=ctx.publisher,
    )
    return saved(
        session,
        viewer,
        now,
        "update",
        "promotion",
        row.code,
        to=f"/console/promotions/{row.code}?saved=1",
        store_id=row.store_id,
        details={"rule": row.rule, "via": "console"},
    )


@router.post("/promotions-preview", response_class=HTMLResponse)
def preview(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> HTMLResponse:
    """Prices the sample basket with and without the edited rule; nothing is saved."""
    viewer.require(Role.MANAGER, Role.HQ)
    code = text(form, "code", 64) or "preview"
    rule, errors = rule_from_form(form, viewer, code=code)
    store = _store_choice(session, viewer, form) if text(form, "store", 32) else None
    store = store or next(iter(_stores(session, viewer)), None)
    lines, bad = basket_lines(text(form, "basket", 2000))
    context: dict[str, Any] = {"errors": errors, "bad": bad, "priced": None, "before": None}
    if rule is not None and store is not None and lines:
        book = build_pricebook(session, store, 1, now)
        at = now
        if rule.window.starts_at and rule.window.starts_at > now:
            at = rule.window.starts_at
        if rule.window.ends_at and rule.window.ends_at <= at:
            at = (
                rule.window.ends_at.replace(microsecond=0)
                if rule.window.starts_at is None
                else rule.window.starts_at
            )
        others = [p for p in book.promotions if p.id != rule.id]
        with_rule = book.model_copy(update={"promotions": [*others, rule]})
        without = book.model_copy(update={"promotions": others})
        member = form.get("member") is not None
        try:
            context["priced"] = price_basket(with_rule, lines, at=at, member=member)
            context["before"] = price_basket(without, lines, at=at, member=member)
            context["at"] = at
        except (PricingError, CloudError) as exc:
            context["pricing_error"] = str(exc)
    return render(request, "_preview.html", viewer=viewer, store=store, rule=rule, **context)
