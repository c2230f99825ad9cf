"""/promotions: time-windowed promotions, validated by contracts.pricebook and published in
the price book. Chain-wide ones are head office's (admin, hq); managers edit their stores'
promotions, head office any store's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import (
    CatalogueReader,
    CtxDep,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    catalogue_store_for,
    check_store_id,
    require_role,
)
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.promotions import service as promotions
from cloud.promotions.models import Promotion
from cloud.promotions.schemas import PromotionCreate, PromotionOut, PromotionUpdate
from cloud.stores import service as stores
from contracts.pricebook import Promotion as PromotionRule

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/promotions", tags=["promotions"])

CodePath = Annotated[str, Path(min_length=1, max_length=64)]
PromotionEditor = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER))]


def promotion_out(row: Promotion, store: str | None) -> PromotionOut:
    return PromotionOut(
        code=row.code,
        name=row.name,
        kind=row.kind,
        store=store,
        active=row.active,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        rule=row.rule,
        updated_at=row.updated_at,
    )


def _store_code(session: Session, store_id: int | None) -> str | None:
    return None if store_id is None else stores.store_by_id(session, store_id).code  # type: ignore[union-attr]


def _apply_rule(row: Promotion, rule: PromotionRule) -> None:
    if (
        rule.window.starts_at
        and rule.window.ends_at
        and rule.window.ends_at <= rule.window.starts_at
    ):
        raise ValidationFailedError("rule.window.ends_at must be after starts_at")
    row.code, row.name, row.kind = rule.id, rule.name, rule.kind
    row.rule = rule.model_dump(mode="json")
    row.starts_at, row.ends_at = rule.window.starts_at, rule.window.ends_at


def _editable(session: Session, user: Principal, code: str) -> Promotion:
    row = promotions.find_promotion(session, code)
    if row is None:
        raise NotFoundError(f"promotion {code!r} not found")
    if row.store_id is None:
        if not user.is_head_office:
            raise PermissionDeniedError("chain-wide promotions are edited by head office")
    elif not user.is_head_office:
        check_store_id(user, row.store_id)
    return row


def _publish(session: Session, ctx: CtxDep, store: str | None) -> None:
    if ctx.publisher is not None:
        ctx.publisher.changed(session, None if store is None else [store])


@router.get("", response_model=Page[PromotionOut])
def list_promotions(
    user: CatalogueReader,
    session: SessionDep,
    page: PageDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    active: bool | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[PromotionOut]:
    """Chain-wide promotions plus those of the store (or of the caller's stores)."""
    visible: set[int] | None = None
    if store is not None:
        visible = {catalogue_store_for(session, user, store).id}
    elif not user.is_head_office:
        visible = set(user.store_ids)
    rows, total = promotions.list_page(
        session, store_ids=visible, active=active, kind=kind, limit=page.limit, offset=page.offset
    )
    items = [promotion_out(r, _store_code(session, r.store_id)) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=PromotionOut, status_code=status.HTTP_201_CREATED)
def create_promotion(
    body: PromotionCreate, user: PromotionEditor, session: SessionDep, ctx: CtxDep, now: NowDep
) -> PromotionOut:
    store_id = None
    if body.store is None:
        if not user.is_head_office:
            raise PermissionDeniedError("chain-wide promotions are created by head office")
    else:
        store_id = catalogue_store_for(session, user, body.store).id
    if promotions.find_promotion(session, body.rule.id) is not None:
        raise ConflictError(f"promotion {body.rule.id!r} already exists")
    row = Promotion(store_id=store_id, active=body.active, updated_at=now)
    _apply_rule(row, body.rule)
    session.add(row)
    session.flush()
    _publish(session, ctx, body.store)
    audit(
        session,
        user,
        now,
        "create",
        "promotion",
        row.code,
        store_id=store_id,
        details=body.model_dump(mode="json"),
    )
    out = promotion_out(row, body.store)
    session.commit()
    return out


@router.get("/{code}", response_model=PromotionOut)
def get_promotion(code: CodePath, user: CatalogueReader, session: SessionDep) -> PromotionOut:
    row = promotions.find_promotion(session, code)
    if row is None:
        raise NotFoundError(f"promotion {code!r} not found")
    if row.store_id is not None and not user.is_head_office:
        check_store_id(user, row.store_id)
    return promotion_out(row, _store_code(session, row.store_id))


@router.patch("/{code}", response_model=PromotionOut)
def update_promotion(
    code: CodePath,
    body: PromotionUpdate,
    user: PromotionEditor,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> PromotionOut:
    row = _editable(session, user, code)
    if body.rule is not None:
        if body.rule.id != code:
            raise ValidationFailedError("rule.id cannot change; create a new promotion")
        _apply_rule(row, body.rule)
    if body.active is not None:
        row.active = body.active
    row.updated_at = now
    session.flush()
    store = _store_code(session, row.store_id)
    _publish(session, ctx, store)
    audit(
        session,
        user,
        now,
        "update",
        "promotion",
        code,
        store_id=row.store_id,
        details=body.model_dump(mode="json", exclude_unset=True),
    )
    out = promotion_out(row, store)
    session.commit()
    return out


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_promotion(
    code: CodePath, user: PromotionEditor, session: SessionDep, ctx: CtxDep, now: NowDep
) -> None:
    row = _editable(session, user, code)
    store = _store_code(session, row.store_id)
    audit(session, user, now, "delete", "promotion", code, store_id=row.store_id)
    session.delete(row)
    session.flush()
    _publish(session, ctx, store)
    session.commit()
