"""/users: admin-only user management (roles and store memberships)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.api.auth import user_out
from cloud.auth import lockout, service
from cloud.auth.models import Role, User
from cloud.deps import (
    AdminUser,
    CtxDep,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    store_for,
)
from cloud.exceptions import ConflictError, NotFoundError
from cloud.users.schemas import UserCreate, UserOut, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _get(session: SessionDep, user_id: int) -> User:
    user = service.user_by_id(session, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


@router.get("", response_model=Page[UserOut])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    page: PageDep,
    role: Role | None = None,
    store: Annotated[str | None, Query(max_length=32, description="Members of a store")] = None,
    q: Annotated[str | None, Query(max_length=64, description="Username contains")] = None,
) -> Page[UserOut]:
    rows, total = service.list_users(
        session,
        role=None if role is None else role.value,
        store_id=None if store is None else store_for(session, admin, store).id,
        q=q,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[user_out(session, u) for u in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate, admin: AdminUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> UserOut:
    user = service.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        store_codes=body.stores,
        email=body.email,
        full_name=body.full_name,
        now=now,
        hasher=ctx.hasher,
    )
    audit(
        session,
        admin,
        now,
        "create",
        "user",
        user.id,
        details=body.model_dump(exclude={"password"}),
    )
    out = user_out(session, user)
    session.commit()
    return out


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, admin: AdminUser, session: SessionDep) -> UserOut:
    return user_out(session, _get(session, user_id))


@router.patch("/{user_id}", response_model=UserOut)
def update_user(
    user_id: UserId,
    body: UserUpdate,
    admin: AdminUser,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> UserOut:
    user = _get(session, user_id)
    if user.id == admin.user_id and (body.active is False or body.role not in (None, Role.ADMIN)):
        raise ConflictError("admins cannot demote or disable themselves")
    if user.id == admin.user_id and body.password is not None:
        raise ConflictError("change your own password with POST /auth/password")
    service.update_user(
        session,
        user,
        role=body.role,
        store_codes=body.stores,
        email=body.email,
        full_name=body.full_name,
        active=body.active,
        password=body.password,
        now=now,
        hasher=ctx.hasher,
    )
    details = body.model_dump(exclude={"password"}, exclude_unset=True)
    audit(
        session,
        admin,
        now,
        "update",
        "user",
        user.id,
        details=details | {"password_set": body.password is not None},
    )
    out = user_out(session, user)
    session.commit()
    return out


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: UserId, admin: AdminUser, session: SessionDep, now: NowDep) -> None:
    user = _get(session, user_id)
    if user.id == admin.user_id:
        raise ConflictError("admins cannot delete themselves")
    audit(session, admin, now, "delete", "user", user.id, details={"username": user.username})
    session.delete(user)
    session.commit()


@router.post("/{user_id}/unlock", response_model=UserOut)
def unlock_user(user_id: UserId, admin: AdminUser, session: SessionDep, now: NowDep) -> UserOut:
    """Lift the account lock and the username's failed-login counters."""
    user = _get(session, user_id)
    lockout.unlock(session, user)
    audit(session, admin, now, "unlock", "user", user.id)
    out = user_out(session, user)
    session.commit()
    return out
