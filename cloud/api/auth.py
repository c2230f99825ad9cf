"""/auth: OAuth2 password flow for API clients, cookie sessions for the console, logout,
password change and forgotten-password reset."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from cloud.audit.service import record
from cloud.auth import reset as reset_service
from cloud.auth import service
from cloud.auth.client import client_address
from cloud.auth.csrf import csrf_token
from cloud.auth.exceptions import AuthenticationError, AuthError
from cloud.auth.models import Role, TokenKind, User
from cloud.auth.schemas import (
    CsrfOut,
    PasswordChange,
    ResetConfirm,
    ResetRequest,
    SessionOut,
    TokenOut,
    UserOut,
)
from cloud.deps import SESSION_COOKIE, CtxDep, CurrentUser, NowDep, SessionDep
from cloud.exceptions import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/auth", tags=["auth"])

LoginForm = Annotated[OAuth2PasswordRequestForm, Depends()]

_AUTH_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong username or password (the same for unknown users)"},
    429: {"description": "Too many failures from this address; retry after Retry-After s"},
}


def user_out(session: Session, user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        role=Role(user.role),
        stores=service.store_codes_of(session, user),
        active=user.active,
        locked_until=user.locked_until,
        created_at=user.created_at,
    )


def _login(
    request: Request, session: Session, ctx: CtxDep, form: OAuth2PasswordRequestForm, now: NowDep
) -> User:
    address = client_address(request)
    try:
        user = service.authenticate(
            session,
            form.username,
            form.password,
            address=address,
            now=now,
            settings=ctx.settings,
            hasher=ctx.hasher,
        )
    except AuthError as exc:
        service.record_failed_login(
            session, form.username, exc, now=now, address=address, channel="api"
        )
        session.commit()  # keep the failure count even though the request fails
        raise
    return user


@router.post("/token", response_model=TokenOut, responses=_AUTH_ERRORS)
def token(
    request: Request, form: LoginForm, session: SessionDep, ctx: CtxDep, now: NowDep
) -> TokenOut:
    """OAuth2 password flow: a short-lived opaque bearer token (revoked by logout)."""
    user = _login(request, session, ctx, form, now)
    ttl = timedelta(minutes=ctx.settings.access_token_minutes)
    raw, _ = service.open_login(session, user, TokenKind.BEARER, now=now, ttl=ttl, channel="bearer")
    session.commit()
    return TokenOut(access_token=raw, expires_in=int(ttl.total_seconds()))


@router.post("/session", response_model=SessionOut, responses=_AUTH_ERRORS)
def open_session(
    request: Request,
    form: LoginForm,
    response: Response,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> SessionOut:
    """Console login: sets an HttpOnly, SameSite=Lax session cookie (Secure over HTTPS) and
    returns its CSRF token. Refused (403) when posted by a page of another origin."""
    user = _login(request, session, ctx, form, now)
    ttl = timedelta(hours=ctx.settings.session_hours)
    raw, row = service.open_login(
        session, user, TokenKind.SESSION, now=now, ttl=ttl, channel="session"
    )
    out = SessionOut(
        csrf_token=csrf_token(ctx.settings.secret_key.get_secret_value(), raw),
        expires_at=row.expires_at,
        user=user_out(session, user),
    )
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/",
    )
    return out


@router.get("/csrf", response_model=CsrfOut)
def csrf(request: Request, user: CurrentUser, ctx: CtxDep) -> CsrfOut:
    """The CSRF token of the current cookie session (the console fetches it after a reload)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not user.via_cookie or not cookie:
        raise AuthenticationError("no cookie session")
    return CsrfOut(csrf_token=csrf_token(ctx.settings.secret_key.get_secret_value(), cookie))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: CurrentUser, session: SessionDep, now: NowDep, response: Response) -> None:
    """Revoke the token or session used for this request; it never works again."""
    service.revoke_token(session, user.token_hash, now=now)
    record(
        session,
        at=now,
        action="logout",
        entity="user",
        entity_id=user.user_id,
        actor=user.username,
        actor_id=user.user_id,
    )
    session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, session: SessionDep) -> UserOut:
    row = service.user_by_id(session, user.user_id)
    if row is None:
        raise NotFoundError("user not found")
    return user_out(session, row)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> None:
    """Change one's own password; every other token and session of the user is revoked."""
    service.change_password(
        session, user, current=body.current, new=body.new, now=now, hasher=ctx.hasher
    )
    record(
        session,
        at=now,
        action="password_change",
        entity="user",
        entity_id=user.user_id,
        actor=user.username,
        actor_id=user.user_id,
    )
    session.commit()


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
def request_reset(
    request: Request, body: ResetRequest, session: SessionDep, ctx: CtxDep, now: NowDep
) -> None:
    """Mail a single-use reset token; the answer is the same whether the user exists or not.
    At most ``reset_per_user_per_hour`` mails per user (more are dropped silently) and
    ``reset_per_address_per_hour`` requests per client address (429 beyond)."""
    reset_service.request_password_reset(
        session,
        body.username,
        address=client_address(request),
        now=now,
        settings=ctx.settings,
        notifier=ctx.notifier,
    )
    session.commit()


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"description": "Token unknown, already used or expired"}},
)
def confirm_reset(body: ResetConfirm, session: SessionDep, ctx: CtxDep, now: NowDep) -> None:
    """Set a new password with a reset token; the token is spent and all sessions revoked."""
    reset_service.reset_password(session, body.token, body.new_password, now=now, hasher=ctx.hasher)
    session.commit()
