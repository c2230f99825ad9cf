"""Login, lockout, tokens, password reset and user management.

Every function takes ``now`` from the caller's clock, so lockout and expiry are tested by
moving a fake clock, never by sleeping. Nothing here commits: the API handler does, also after
a failed login so the failure counter sticks.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from cloud.auth import lockout
from cloud.auth import repository as repo
from cloud.auth.exceptions import AuthenticationError, AuthError, WeakPasswordError
from cloud.auth.models import AuthToken, Role, TokenKind, User, UserStore
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
MAX_PASSWORD = 128
_DUMMY_HASHES: dict[tuple[int, int, int, int], str] = {}


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

    @property
    def is_head_office(self) -> bool:
        """Admin or ``hq``: the chain's catalogue, chain-wide promotions, coupon limits."""
        return self.role in (Role.ADMIN, Role.HQ)

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


def _check_memberships(role: Role, stores: int) -> None:
    """Store roles belong to at least one store; head office to none (it acts chain-wide)."""
    if not role.chain_wide and not stores:
        raise ValidationFailedError(f"a {role.value} must belong to at least one store")
    if role is Role.HQ and stores:
        raise ValidationFailedError("head office (hq) belongs to no store")


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
    _check_memberships(role, len(store_codes))
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
    _check_memberships(Role(user.role), len(user.memberships))
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
    lockout.unlock(session, user)
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
    address: str,
    now: datetime,
    settings: CloudSettings,
    hasher: PasswordHasher,
) -> User:
    """The user, or :class:`AuthenticationError` / :class:`TooManyAttemptsError`.

    Real and unknown usernames get the same answers after the same work (one argon2 verify,
    against a dummy hash for unknown users) and the same throttling (cloud/auth/lockout.py).
    The counters change in ``session``: commit even when this raises.
    """
    lockout.check(session, username, address, now)
    user = repo.user_by_username(session, username)
    usable = user is not None and user.active
    stored = user.password_hash if user is not None and usable else dummy_hash(hasher)
    ok = _verify(hasher, stored, password) and usable
    if ok and user is not None and lockout.lock_applies(session, user, address, now):
        log.warning("user %r is locked for new addresses; refused from %s", username, address)
        ok = False
    if not ok or user is None:
        lockout.failed(session, username, address, user, now=now, settings=settings)
        raise AuthenticationError("incorrect username or password")
    lockout.succeeded(session, user, address, now)
    user.failed_logins = 0
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s parameters, computed once per parameter set, so an
    unknown username costs one verify like a real one (not a hash plus a verify)."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len)
    found = _DUMMY_HASHES.get(key)
    if found is None:
        found = _DUMMY_HASHES.setdefault(key, hasher.hash(secrets.token_urlsafe(16)))
    return found


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


def record_failed_login(
    session: Session,
    username: str,
    exc: AuthError,
    *,
    now: datetime,
    address: str | None,
    channel: str,
) -> None:
    """Audit a refused login (API or console); the caller commits, since the request fails
    and the failure must still count toward the lockout."""
    from cloud.audit.service import record

    record(
        session,
        at=now,
        action="login_failed",
        entity="user",
        actor=username[:64],
        details={"reason": type(exc).__name__, "channel": channel, "address": address},
    )


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


def user_by_username(session: Session, username: str) -> User | None:
    return repo.user_by_username(session, username)


def user_by_id(session: Session, user_id: int) -> User | None:
    return repo.user_by_id(session, user_id)


def store_staff(session: Session, store_id: int) -> list[str]:
    """Usernames of the store's active staff and managers (who an alert can be assigned to)."""
    return repo.usernames_in_store(session, store_id, (Role.STAFF.value, Role.MANAGER.value))


def list_users(
    session: Session,
    *,
    role: str | None,
    store_id: int | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[User], int]:
    """Users by id, filtered by role, store membership and username substring; one page and
    how many match."""
    return repo.list_users(session, role=role, store_id=store_id, q=q, limit=limit, offset=offset)


def console_users(
    session: Session, *, store_ids: Collection[int] | None, q: str, limit: int, offset: int
) -> list[User]:
    """Users by username whose name contains ``q``; with ``store_ids``, only non-admin
    members of those stores (what a manager sees)."""
    return repo.console_users(session, store_ids=store_ids, q=q, limit=limit, offset=offset)
