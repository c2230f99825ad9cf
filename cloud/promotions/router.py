"""/promotions: time-windowed promotions, validated by contracts.pricebook and published in
the price book. Chain-wide ones are admin-only; managers edit their stores' promotions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.service import Principal
from cloud.deps import (
    CtxDep,
    CurrentUser,
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    check_store_id,
    paginate,
    store_for,
)
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.promotions.models import Promotion
from cloud.promotions.schemas import PromotionCreate, PromotionOut, PromotionUpdate
from cloud.stores.models import Store
from contracts.pricebook import Promotion as PromotionRule

router = APIRouter(prefix="/promotions", tags=["promotions"])

CodePath = Annotated[str, Path(min_length=1, max_length=64)]


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
    return None if store_id is None else session.get(Store, store_id).code  # type: ignore[union-attr]


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
    row = session.scalars(select(Promotion).where(Promotion.code == code)).one_or_none()
    if row is None:
        raise NotFoundError(f"promotion {code!r} not found")
    if row.store_id is None:
        if not user.is_admin:
            raise PermissionDeniedError("chain-wide promotions are edited by admins")
    else:
        check_store_id(user, row.store_id)
    return row


def _publish(session: Session, ctx: CtxDep, store: str | None) -> None:
    if ctx.publisher is not None:
        ctx.publisher.changed(session, None if store is None else [store])


@router.get("", response_model=Page[PromotionOut])
def list_promotions(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    active: bool | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[PromotionOut]:
    """Chain-wide promotions plus those of the store (or of the caller's stores)."""
    stmt = select(Promotion).order_by(Promotion.code)
    if store is not None:
        sid = store_for(session, user, store).id
        stmt = stmt.where(or_(Promotion.store_id.is_(None), Promotion.store_id == sid))
    elif not user.is_admin:
        stmt = stmt.where(
            or_(Promotion.store_id.is_(None), Promotion.store_id.in_(sorted(user.store_ids)))
        )
    if active is not None:
        stmt = stmt.where(Promotion.active.is_(active))
    if kind is not None:
        stmt = stmt.where(Promotion.kind == kind)
    rows, total = paginate(session, stmt, page)
    items = [promotion_out(r, _store_code(session, r.store_id)) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=PromotionOut, status_code=status.HTTP_201_CREATED)
def create_promotion(
    body: PromotionCreate, user: ManagerUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> PromotionOut:
    store_id = None
    if body.store is None:
        if not user.is_admin:
            raise PermissionDeniedError("chain-wide promotions are created by admins")
    else:
        store_id = store_for(session, user, body.store).id
    if session.scalars(select(Promotion).where(Promotion.code == body.rule.id)).first():
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
def get_promotion(code: CodePath, user: CurrentUser, session: SessionDep) -> PromotionOut:
    row = session.scalars(select(Promotion).where(Promotion.code == code)).one_or_none()
    if row is None:
        raise NotFoundError(f"promotion {code!r} not found")
    if row.store_id is not None:
        check_store_id(user, row.store_id)
    return promotion_out(row, _store_code(session, row.store_id))


@router.patch("/{code}", response_model=PromotionOut)
def update_promotion(
    code: CodePath,
    body: PromotionUpdate,
    user: ManagerUser,
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
    code: CodePath, user: ManagerUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> None:
    row = _editable(session, user, code)
    store = _store_code(session, row.store_id)
    audit(session, user, now, "delete", "promotion", code, store_id=row.store_id)
    session.delete(row)
    session.flush()
    _publish(session, ctx, store)
    session.commit()
