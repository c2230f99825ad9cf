"""Login, lockout, tokens, password reset and user management.

Every function takes ``now`` from the caller's clock, so lockout and expiry are tested by
moving a fake clock, never by sleeping. Nothing here commits: the API handler does, also after
a failed login so the failure counter sticks.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from cloud.auth import repository as repo
from cloud.auth.exceptions import (
    AccountLockedError,
    AuthenticationError,
    WeakPasswordError,
)
from cloud.auth.models import AuthToken, Role, TokenKind, User, UserStore
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
MAX_PASSWORD = 128
_DUMMY_HASH_INPUT = "not-a-real-password"


def make_hasher(*, fast: bool = False) -> PasswordHasher:
    """argon2id with library defaults (RFC 9106 low-memory); ``fast`` only for tests."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved once per request from a bearer token or a session cookie."""

    user_id: int
    username: str
    role: Role
    store_ids: frozenset[int] = field(default_factory=frozenset)
    store_codes: frozenset[str] = field(default_factory=frozenset)
    token_hash: str = ""
    via_cookie: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def can_access_store(self, store_id: int) -> bool:
        return self.is_admin or store_id in self.store_ids


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPasswordError(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPasswordError(f"password must have at most {MAX_PASSWORD} characters")


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Users ----------------------------------------------------------------------------------


def _memberships(session: Session, store_codes: Sequence[str]) -> list[UserStore]:
    found = repo.stores_by_codes(session, store_codes)
    missing = sorted(set(store_codes) - set(found))
    if missing:
        raise NotFoundError(f"unknown store(s): {', '.join(missing)}")
    return [UserStore(store_id=found[code].id) for code in dict.fromkeys(store_codes)]


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    store_codes: Sequence[str],
    now: datetime,
    hasher: PasswordHasher,
    email: str = "",
    full_name: str = "",
) -> User:
    check_password_policy(password)
    if repo.user_by_username(session, username) is not None:
        raise ConflictError(f"username {username!r} is taken")
    if role is not Role.ADMIN and not store_codes:
        raise ValidationFailedError(f"a {role.value} must belong to at least one store")
    user = User(
        username=username,
        role=role.value,
        password_hash=hasher.hash(password),
        email=email,
        full_name=full_name,
        created_at=now,
        password_changed_at=now,
        active=True,
        failed_logins=0,
    )
    user.memberships = _memberships(session, store_codes)
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    role: Role | None = None,
    store_codes: Sequence[str] | None = None,
    email: str | None = None,
    full_name: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    now: datetime,
    hasher: PasswordHasher,
) -> User:
    if role is not None:
        user.role = role.value
    if store_codes is not None:
        user.memberships = _memberships(session, store_codes)
    if Role(user.role) is not Role.ADMIN and not user.memberships:
        raise ValidationFailedError(f"a {user.role} must belong to at least one store")
    if email is not None:
        user.email = email
    if full_name is not None:
        user.full_name = full_name
    if active is not None:
        user.active = active
        if not active:
            repo.revoke_user_tokens(session, user.id, now)
    if password is not None:
        set_password(session, user, password, now, hasher)
    session.flush()
    return user


def set_password(
    session: Session,
    user: User,
    password: str,
    now: datetime,
    hasher: PasswordHasher,
    keep_hash: str | None = None,
) -> None:
    check_password_policy(password)
    user.password_hash = hasher.hash(password)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    repo.revoke_user_tokens(session, user.id, now, keep_hash=keep_hash)


def store_codes_of(session: Session, user: User) -> list[str]:
    codes = repo.store_codes_by_ids(session, [m.store_id for m in user.memberships])
    return sorted(codes.values())


# Login and lockout ----------------------------------------------------------------------


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime,
    settings: CloudSettings,
    hasher: PasswordHasher,
) -> User:
    """The user, or :class:`AuthenticationError`/:class:`AccountLockedError`.

    The failure counter is changed in ``session``; commit even when this raises.
    """
    user = repo.user_by_username(session, username)
    if user is None or not user.active:
        _verify(hasher, hasher.hash(_DUMMY_HASH_INPUT), password)  # same cost: no user probing
        raise AuthenticationError("incorrect username or password")
    if user.locked_until is not None and now < user.locked_until:
        raise AccountLockedError(user.locked_until)
    if not _verify(hasher, user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.lockout_failures:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            log.warning("user %r locked until %s", user.username, user.locked_until)
            raise AccountLockedError(user.locked_until)
        raise AuthenticationError("incorrect username or password")
    user.failed_logins = 0
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def issue_token(
    session: Session, user: User, kind: TokenKind, *, now: datetime, ttl: timedelta
) -> tuple[str, AuthToken]:
    raw = secrets.token_urlsafe(32)
    row = AuthToken(
        token_hash=hash_token(raw),
        user_id=user.id,
        kind=kind.value,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    return raw, row


def open_login(
    session: Session,
    user: User,
    kind: TokenKind,
    *,
    now: datetime,
    ttl: timedelta,
    channel: str,
) -> tuple[str, AuthToken]:
    """Issue a token after a successful login and audit it (API bearer, API session, console)."""
    from cloud.audit.service import record

    raw, row = issue_token(session, user, kind, now=now, ttl=ttl)
    record(
        session,
        at=now,
        action="login",
        entity="user",
        entity_id=user.id,
        actor=user.username,
        actor_id=user.id,
        details={"channel": channel},
    )
    return raw, row


def principal_for_token(
    session: Session, raw: str, *, now: datetime, via_cookie: bool = False
) -> Principal:
    token_hash = hash_token(raw)
    token = repo.token_by_hash(session, token_hash)
    if token is None or token.revoked_at is not None or now >= token.expires_at:
        raise AuthenticationError("invalid, expired or revoked token")
    expected = TokenKind.SESSION if via_cookie else TokenKind.BEARER
    if token.kind != expected.value:
        raise AuthenticationError("token used on the wrong channel")
    user = repo.user_by_id(session, token.user_id)
    if user is None or not user.active:
        raise AuthenticationError("user is disabled")
    store_ids = [m.store_id for m in user.memberships]
    codes = repo.store_codes_by_ids(session, store_ids)
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        store_ids=frozenset(store_ids),
        store_codes=frozenset(codes.values()),
        token_hash=token_hash,
        via_cookie=via_cookie,
    )


def revoke_token(session: Session, token_hash: str, *, now: datetime) -> None:
    token = repo.token_by_hash(session, token_hash)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now


def change_password(
    session: Session,
    principal: Principal,
    *,
    current: str,
    new: str,
    now: datetime,
    hasher: PasswordHasher,
) -> None:
    """Other sessions and tokens of the user are revoked; the calling one stays valid."""
    user = repo.user_by_id(session, principal.user_id)
    if user is None or not _verify(hasher, user.password_hash, current):
        raise ValidationFailedError("current password is incorrect")
    set_password(session, user, new, now, hasher, keep_hash=principal.token_hash)
