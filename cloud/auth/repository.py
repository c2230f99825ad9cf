"""Queries on users, memberships and tokens; no commits (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud.auth.models import AuthToken, PasswordResetToken, Role, User, UserStore
from cloud.stores.models import Store


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(
    session: Session,
    *,
    role: str | None,
    store_id: int | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[User], int]:
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if store_id is not None:
        stmt = stmt.where(
            User.id.in_(select(UserStore.user_id).where(UserStore.store_id == store_id))
        )
    if q:
        stmt = stmt.where(User.username.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.id).limit(limit).offset(offset)).all()
    return rows, total


def stores_by_codes(session: Session, codes: Sequence[str]) -> dict[str, Store]:
    if not codes:
        return {}
    rows = session.scalars(select(Store).where(Store.code.in_(list(codes)))).all()
    return {s.code: s for s in rows}


def store_codes_by_ids(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Store.id, Store.code).where(Store.id.in_(list(ids)))).all()
    return {row.id: row.code for row in rows}


def token_by_hash(session: Session, token_hash: str) -> AuthToken | None:
    return session.scalars(
        select(AuthToken).where(AuthToken.token_hash == token_hash)
    ).one_or_none()


def reset_token_by_hash(session: Session, token_hash: str) -> PasswordResetToken | None:
    return session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    ).one_or_none()


def revoke_user_tokens(
    session: Session, user_id: int, now: datetime, *, keep_hash: str | None = None
) -> None:
    stmt = (
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if keep_hash is not None:
        stmt = stmt.where(AuthToken.token_hash != keep_hash)
    session.execute(stmt)


def usernames_in_store(session: Session, store_id: int, roles: Sequence[str]) -> list[str]:
    """Active users of the store with one of ``roles``, by username."""
    stmt = (
        select(User.username)
        .join(UserStore, UserStore.user_id == User.id)
        .where(UserStore.store_id == store_id, User.active.is_(True))
        .where(User.role.in_(roles))
        .order_by(User.username)
    )
    return list(session.scalars(stmt))


def console_users(
    session: Session, *, store_ids: Collection[int] | None, q: str, limit: int, offset: int
) -> list[User]:
    """Users by username whose name contains ``q``; with ``store_ids``, only non-admin
    members of those stores."""
    stmt = select(User).order_by(User.username)
    if store_ids is not None:
        members = select(UserStore.user_id).where(UserStore.store_id.in_(sorted(store_ids)))
        stmt = stmt.where(User.id.in_(members), User.role != Role.ADMIN.value)
    if q:
        stmt = stmt.where(User.username.contains(q, autoescape=True))
    return list(session.scalars(stmt.limit(limit).offset(offset)))
