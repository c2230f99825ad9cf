"""Queries on users, memberships and tokens; no commits (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud.auth.models import AuthToken, PasswordResetToken, User, UserStore
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
