"""FastAPI dependencies shared by every router: context, DB session, caller, roles, store scope,
pagination, and the mapping of domain errors to HTTP statuses.

Use the ``Annotated`` aliases (``SessionDep``, ``CurrentUser``, ``NowDep`` …) in handlers so
signatures stay short and every router resolves them the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cloud.auth.csrf import verify_csrf
from cloud.auth.exceptions import (
    AuthenticationError,
    InvalidResetTokenError,
    PermissionDeniedError,
    TooManyAttemptsError,
)
from cloud.auth.models import Role
from cloud.auth.notifier import Notifier
from cloud.auth.permissions import check_role_scope
from cloud.auth.service import Principal, principal_for_token
from cloud.exceptions import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    ValidationFailedError,
)
from cloud.products.changes import ChangeNotifier
from cloud.settings import CloudSettings
from cloud.stores import service as stores
from cloud.stores.models import Store

log = logging.getLogger(__name__)

SESSION_COOKIE = "smartstore_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    """Everything ``create_app`` builds; handlers get it through :data:`CtxDep`."""

    settings: CloudSettings
    sessions: sessionmaker[Session]
    clock: Clock
    hasher: PasswordHasher
    notifier: Notifier
    publisher: ChangeNotifier | None = None
    """Price book publisher: told about catalog changes, publishes after commit."""


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


def get_session(ctx: CtxDep) -> Iterator[Session]:
    """One session per request; handlers commit explicitly, anything else rolls back."""
    with ctx.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_now(ctx: CtxDep) -> datetime:
    return ctx.clock()


NowDep = Annotated[datetime, Depends(get_now)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_principal(
    request: Request,
    session: SessionDep,
    now: NowDep,
    ctx: CtxDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """Bearer token first (API clients), else the console's session cookie (CSRF-checked)."""
    if bearer:
        principal = principal_for_token(session, bearer, now=now)
        check_role_scope(principal.role, request.scope.get("endpoint"))
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthenticationError("not authenticated")
    principal = principal_for_token(session, cookie, now=now, via_cookie=True)
    if request.method not in SAFE_METHODS:
        candidate = request.headers.get(CSRF_HEADER, "")
        if not verify_csrf(ctx.settings.secret_key.get_secret_value(), cookie, candidate):
            raise PermissionDeniedError("missing or invalid CSRF token")
    check_role_scope(principal.role, request.scope.get("endpoint"))
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role, why: str = "") -> Callable[[Principal], Principal]:
    """A dependency allowing admins and the given roles (store scope is checked separately);
    ``why`` is added to the 403's message."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def dependency(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            reason = f": {why}" if why else ""
            raise PermissionDeniedError(f"role {user.role.value} may not do this{reason}")
        return user

    return dependency


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]
HeadOfficeUser = Annotated[
    Principal,
    Depends(
        require_role(
            Role.HQ,
            why="chain-wide catalogue data is head office's (admin or hq); a store sets its own "
            "prices with PUT /api/v1/stores/{store}/prices/{sku}",
        )
    ),
]
ManagerUser = Annotated[Principal, Depends(require_role(Role.MANAGER))]
StaffUser = Annotated[Principal, Depends(require_role(Role.MANAGER, Role.STAFF))]
CatalogueReader = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF))]
"""Everyone who works with the catalogue: head office and the store roles (not a checkout)."""
CouponIssuer = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER))]
"""Head office and managers: coupons and campaigns, within the limits (cloud.members.limits)."""


def store_for(session: Session, user: Principal, code: str) -> Store:
    """The store named ``code`` if the caller may act in it: 404 if unknown, 403 if out of scope."""
    store = stores.find_store(session, code)
    if store is None:
        raise NotFoundError(f"store {code!r} not found")
    if not user.can_access_store(store.id):
        raise PermissionDeniedError(f"no access to store {code!r}")
    return store


def catalogue_store_for(session: Session, user: Principal, code: str) -> Store:
    """Like :func:`store_for`, but head office passes for every store: a store's prices and
    promotions are part of the chain's catalogue, which ``hq`` oversees."""
    if user.is_head_office:
        store = stores.find_store(session, code)
        if store is None:
            raise NotFoundError(f"store {code!r} not found")
        return store
    return store_for(session, user, code)


def check_store_id(user: Principal, store_id: int) -> None:
    if not user.can_access_store(store_id):
        raise PermissionDeniedError("no access to this store")


def scope_store_ids(session: Session, user: Principal, code: str | None) -> list[int] | None:
    """Store ids a list may show: the asked store (checked), else all (admin) or the user's."""
    if code is not None:
        return [store_for(session, user, code).id]
    if user.is_admin:
        return None
    return sorted(user.store_ids)


# Query parameter types ------------------------------------------------------------------


def _as_utc(value: datetime) -> datetime:
    """Naive query times are taken as UTC; out-of-range offsets are a 422, not a crash."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("datetime out of range") from exc


def _rfc3339_only(value: object) -> object:
    """A query time is an RFC 3339 text; pydantic would also take ``0.5`` as a Unix time."""
    if isinstance(value, str) and not _DATE_TEXT.match(value):
        raise ValueError("expected an RFC 3339 date-time, e.g. 2026-03-02T09:30:00Z")
    return value


_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")

UtcQueryTime = Annotated[datetime, BeforeValidator(_rfc3339_only), AfterValidator(_as_utc)]

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
"""Store/node codes as used on MQTT topics."""

DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class PageParams(BaseModel):
    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(get_page)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every row matching the filters."""

    items: list[T]
    total: int = Field(examples=[1])
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])


# Errors -----------------------------------------------------------------------------------


def _detail(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers or None)


def _validation(message: str) -> JSONResponse:
    # Same shape as FastAPI's own 422 so clients handle one format.
    body = {"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]}
    return JSONResponse(body, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors at the boundary: handlers raise, never build HTTP errors by hand."""

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return _detail(404, str(exc) or "not found")

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return _detail(409, str(exc) or "conflict")

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        return _validation(str(exc))

    async def unauthenticated(_: Request, exc: Exception) -> JSONResponse:
        return _detail(401, str(exc) or "not authenticated", **{"WWW-Authenticate": "Bearer"})

    async def too_many(_: Request, exc: Exception) -> JSONResponse:
        wait = exc.retry_after if isinstance(exc, TooManyAttemptsError) else 60
        return _detail(429, "too many attempts; try again later", **{"Retry-After": str(wait)})

    async def forbidden(_: Request, exc: Exception) -> JSONResponse:
        return _detail(403, str(exc) or "forbidden")

    async def bad_token(_: Request, exc: Exception) -> JSONResponse:
        return _detail(400, str(exc))

    async def integrity(_: Request, exc: Exception) -> JSONResponse:
        log.info("integrity error mapped to 409: %s", exc)
        return _detail(409, "conflicts with existing data")

    async def data_error(_: Request, exc: Exception) -> JSONResponse:
        log.info("data error mapped to 422: %s", exc)
        return _validation("value not accepted by the database")

    async def database_busy(_: Request, exc: Exception) -> JSONResponse:
        # SQLite's busy timeout ran out under load, or PostgreSQL went away: a moment's
        # wait, not a server bug (a 500 told the console user nothing they could act on).
        log.warning("database unavailable, answered 503: %s", exc)
        return _detail(503, "the database is busy; try again in a moment", **{"Retry-After": "2"})

    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(InvalidTransitionError, conflict)
    app.add_exception_handler(ValidationFailedError, invalid)
    app.add_exception_handler(AuthenticationError, unauthenticated)
    app.add_exception_handler(TooManyAttemptsError, too_many)
    app.add_exception_handler(PermissionDeniedError, forbidden)
    app.add_exception_handler(InvalidResetTokenError, bad_token)
    app.add_exception_handler(IntegrityError, integrity)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(OperationalError, database_busy)
    app.add_exception_handler(ValueError, invalid)


def audit(
    session: Session,
    user: Principal,
    now: datetime,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    *,
    store_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a write by the calling user, in the write's own transaction."""
    from cloud.audit.service import record

    record(
        session,
        at=now,
        action=action,
        entity=entity,
        entity_id=entity_id,
        actor=user.username,
        actor_id=user.user_id,
        store_id=store_id,
        details=details,
    )
