"""/stores: the chain's stores; non-admins see only the stores they belong to."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, status

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role
from cloud.deps import (
    AdminUser,
    CurrentUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    store_for,
)
from cloud.exceptions import ValidationFailedError
from cloud.stores import service
from cloud.stores.schemas import StoreCreate, StoreOut, StoreUpdate

router = APIRouter(prefix="/stores", tags=["stores"])

StorePath = Annotated[str, Path(min_length=1, max_length=32, description="Store code")]


def _check_timezone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailedError(f"unknown timezone {name!r}") from exc


@router.get("", response_model=Page[StoreOut])
def list_stores(
    user: CurrentUser, session: SessionDep, page: PageDep, active: bool | None = None
) -> Page[StoreOut]:
    rows, total = service.list_page(
        session,
        store_ids=None if user.is_admin else user.store_ids,
        active=active,
        limit=page.limit,
        offset=page.offset,
    )
    items = [StoreOut.model_validate(s) for s in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=StoreOut, status_code=status.HTTP_201_CREATED)
def create_store(body: StoreCreate, admin: AdminUser, session: SessionDep, now: NowDep) -> StoreOut:
    _check_timezone(body.timezone)
    fields = body.model_dump(exclude={"code", "name"}, exclude_none=True)
    store = service.create_store(session, body.code, body.name, **fields)
    audit(
        session,
        admin,
        now,
        "create",
        "store",
        store.code,
        store_id=store.id,
        details=body.model_dump(exclude_none=True),
    )
    session.flush()
    session.refresh(store)
    out = StoreOut.model_validate(store)
    session.commit()
    return out


@router.get("/{store}", response_model=StoreOut)
def get_store(store: StorePath, user: CurrentUser, session: SessionDep) -> StoreOut:
    return StoreOut.model_validate(store_for(session, user, store))


@router.patch("/{store}", response_model=StoreOut)
def update_store(
    store: StorePath, body: StoreUpdate, user: CurrentUser, session: SessionDep, now: NowDep
) -> StoreOut:
    """Admins, or managers of this store."""
    row = store_for(session, user, store)
    if user.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDeniedError(f"role {user.role.value} may not edit stores")
    _check_timezone(body.timezone)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    service.update_store(session, row.code, **changes)
    audit(session, user, now, "update", "store", row.code, store_id=row.id, details=changes)
    out = StoreOut.model_validate(row)
    session.commit()
    return out
