"""Login, logout, forgotten password, reset, and the language switch.

The login form has its own CSRF token (an HMAC of a random pre-session cookie) so a third
party cannot log a victim into the attacker's account. No "remember me": the session lasts
``settings.session_hours`` and the cookie is HttpOnly, SameSite=Lax.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.audit.service import record
from cloud.auth import reset as reset_service
from cloud.auth import service
from cloud.auth.client import client_address
from cloud.auth.csrf import csrf_token, verify_csrf
from cloud.auth.exceptions import (
    AuthError,
    InvalidResetTokenError,
    TooManyAttemptsError,
    WeakPasswordError,
)
from cloud.auth.models import Role, TokenKind
from cloud.deps import SESSION_COOKIE, CtxDep, NowDep, SessionDep
from cloud.web.console import FieldErrors, FormDep, ViewerDep, language, render, text
from cloud.web.i18n import LANG_COOKIE, LANGUAGES, Translator

router = APIRouter()
LOGIN_COOKIE = "smartstore_login"


def _login_csrf(ctx: CtxDep, nonce: str) -> str:
    return csrf_token(ctx.settings.secret_key.get_secret_value(), "login:" + nonce)


def safe_next(value: str) -> str:
    """Only local console paths: never an open redirect."""
    if value.startswith("/console") and not value.startswith("//") and "\\" not in value:
        return value
    return ""


def _login_page(
    request: Request, ctx: CtxDep, *, error: str = "", username: str = "", status_code: int = 200
) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    response = render(
        request,
        "login.html",
        csrf=_login_csrf(ctx, nonce),
        notice=ctx.settings.maintenance_notice,
        error=error,
        username=username,
        next=safe_next(request.query_params.get("next", "")),
        status_code=status_code,
    )
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax")
    return response


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console/login", response_class=HTMLResponse)
def login_form(request: Request, ctx: CtxDep) -> HTMLResponse:
    return _login_page(request, ctx)


@router.post("/console/login", response_class=HTMLResponse)
def login(
    request: Request, form: FormDep, session: SessionDep, ctx: CtxDep, now: NowDep
) -> Response:
    t = Translator(language(request))
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not verify_csrf(
        ctx.settings.secret_key.get_secret_value(), "login:" + nonce, text(form, "csrf_token", 100)
    ):
        return _login_page(request, ctx, error=t("login.expired"), status_code=403)
    username, password = text(form, "username", 64), str(form.get("password") or "")[:256]
    if not username or not password:
        return _login_page(
            request, ctx, error=t("login.failed"), username=username, status_code=422
        )
    address = client_address(request)
    try:
        user = service.authenticate(
            session,
            username,
            password,
            address=address,
            now=now,
            settings=ctx.settings,
            hasher=ctx.hasher,
        )
    except AuthError as exc:
        service.record_failed_login(
            session, username, exc, now=now, address=address, channel="console"
        )
        session.commit()
        if isinstance(exc, TooManyAttemptsError):
            minutes = max(1, -(-exc.retry_after // 60))
            page = _login_page(
                request,
                ctx,
                error=t("login.throttled", minutes=minutes),
                username=username,
                status_code=429,
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        return _login_page(
            request, ctx, error=t("login.failed"), username=username, status_code=401
        )
    ttl = timedelta(hours=ctx.settings.session_hours)
    raw, _ = service.open_login(
        session, user, TokenKind.SESSION, now=now, ttl=ttl, channel="console"
    )
    session.commit()
    target = safe_next(text(form, "next", 300))
    if not target:
        target = "/console/alerts" if user.role == Role.STAFF.value else "/console"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/console/logout")
def logout(viewer: ViewerDep, session: SessionDep, now: NowDep) -> RedirectResponse:
    service.revoke_token(session, viewer.principal.token_hash, now=now)
    p = viewer.principal
    record(
        session,
        at=now,
        action="logout",
        entity="user",
        entity_id=p.user_id,
        actor=p.username,
        actor_id=p.user_id,
    )
    session.commit()
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console/forgot", response_class=HTMLResponse)
def forgot_form(request: Request, ctx: CtxDep) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    response = render(request, "forgot.html", csrf=_login_csrf(ctx, nonce), sent=False)
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax")
    return response


@router.post("/console/forgot", response_class=HTMLResponse)
def forgot(
    request: Request, form: FormDep, session: SessionDep, ctx: CtxDep, now: NowDep
) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    ok = bool(nonce) and verify_csrf(
        ctx.settings.secret_key.get_secret_value(), "login:" + nonce, text(form, "csrf_token", 100)
    )
    if ok and text(form, "username", 64):
        try:
            reset_service.request_password_reset(
                session,
                text(form, "username", 64),
                address=client_address(request),
                now=now,
                settings=ctx.settings,
                notifier=ctx.notifier,
            )
        except TooManyAttemptsError as exc:
            session.rollback()
            t = Translator(language(request))
            minutes = max(1, -(-exc.retry_after // 60))
            page = render(
                request,
                "forgot.html",
                csrf=_login_csrf(ctx, nonce),
                sent=False,
                error=t("login.throttled", minutes=minutes),
                status_code=429,
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        session.commit()
    # Same answer whether the user exists or not: usernames cannot be probed here.
    return render(
        request,
        "forgot.html",
        csrf=_login_csrf(ctx, nonce),
        sent=ok,
        status_code=200 if ok else 403,
    )


@router.get("/reset-password", response_class=HTMLResponse)
def reset_form(
    request: Request, ctx: CtxDep, token: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    response = render(
        request,
        "reset.html",
        csrf=_login_csrf(ctx, nonce),
        token=token,
        errors=FieldErrors(),
        done=False,
    )
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax")
    return response


@router.post("/reset-password", response_class=HTMLResponse)
def reset(
    request: Request, form: FormDep, session: SessionDep, ctx: CtxDep, now: NowDep
) -> HTMLResponse:
    t = Translator(language(request))
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    token = text(form, "token", 200)
    errors = FieldErrors()
    if not nonce or not verify_csrf(
        ctx.settings.secret_key.get_secret_value(), "login:" + nonce, text(form, "csrf_token", 100)
    ):
        errors["token"] = t("login.expired")
    new, again = str(form.get("password") or "")[:256], str(form.get("password2") or "")[:256]
    if new != again:
        errors["password2"] = t("reset.mismatch")
    if not errors:
        try:
            reset_service.reset_password(session, token, new, now=now, hasher=ctx.hasher)
        except WeakPasswordError:
            errors["password"] = t("reset.weak")
        except InvalidResetTokenError:
            errors["token"] = t("reset.invalid")
        else:
            session.commit()
            return render(request, "reset.html", csrf="", token="", errors=errors, done=True)
    session.rollback()
    return render(
        request,
        "reset.html",
        csrf=_login_csrf(ctx, nonce),
        token=token,
        errors=errors,
        done=False,
        status_code=422,
    )


@router.get("/console/lang/{lang}")
def switch_language(lang: str, next: Annotated[str, Query(max_length=300)] = "") -> Response:
    target = safe_next(next) or "/console"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
