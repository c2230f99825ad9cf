"""Users and roles (admins create, edit, disable and send reset links; managers see their
stores' staff read-only) and the audit log (admins: every entry; managers: their stores').

Writes go through ``cloud.auth.service``, the same rules as ``/api/v1/users``: a non-admin
belongs to at least one store, admins cannot demote or disable themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from cloud.audit import service as audit_entries
from cloud.auth import lockout
from cloud.auth import service as auth
from cloud.auth.exceptions import WeakPasswordError
from cloud.auth.models import Role, User
from cloud.auth.reset import request_password_reset
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.stores import service as store_service
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import PageNotFoundError
from cloud.web.forms import refused, saved
from cloud.web.pages.inventory import parse_day

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
PAGE = 50
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _store_codes(session: Session) -> dict[int, str]:
    return store_service.codes(session)


@router.get("/users", response_class=HTMLResponse)
def users(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    """Admins: everyone. Managers: the members of their stores, without edit links."""
    viewer.require(Role.MANAGER)
    rows = auth.console_users(
        session,
        store_ids=None if viewer.is_admin else viewer.principal.store_ids,
        q=q.strip(),
        limit=PAGE,
        offset=offset,
    )
    return render(
        request,
        "admin/users.html",
        viewer=viewer,
        rows=rows,
        codes=_store_codes(session),
        q=q,
        offset=offset,
        page=PAGE,
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    target: User | None,
    form: FormData | None,
    errors: FieldErrors,
    status_code: int = 200,
    message: str = "",
) -> HTMLResponse:
    codes = _store_codes(session)
    member = {codes[m.store_id] for m in target.memberships} if target else set()
    return render(
        request,
        "admin/user_form.html",
        viewer=viewer,
        target=target,
        form=form,
        errors=errors,
        roles=[r.value for r in Role],
        all_stores=list(store_service.list_stores(session)),
        member=member,
        message=message,
        status_code=status_code,
    )


def _values(form: FormData, errors: FieldErrors, viewer: Viewer) -> dict[str, Any]:
    t = viewer.t
    role = text(form, "role", 16)
    if role not in {r.value for r in Role}:
        errors["role"] = t("err.required")
    email = text(form, "email", 200)
    if email and not EMAIL.match(email):
        errors["email"] = t("adm.bad_email")
    stores = [str(s)[:32] for s in form.getlist("stores")][:100]
    if role in {r.value for r in Role} and not Role(role).chain_wide and not stores:
        errors["stores"] = t("adm.need_store")
    return {
        "role": Role(role) if role in {r.value for r in Role} else None,
        "email": email,
        "full_name": text(form, "full_name", 200),
        "store_codes": stores,
    }


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.ADMIN)
    return _form_page(request, viewer, session, None, None, FieldErrors())


@router.post("/users/new", response_model=None)
def create_user(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.ADMIN)
    errors = FieldErrors()
    username = text(form, "username", 64)
    if not USERNAME.match(username):
        errors["username"] = viewer.t("adm.bad_username")
    values = _values(form, errors, viewer)
    password = str(form.get("password") or "")
    if not auth.MIN_PASSWORD <= len(password) <= auth.MAX_PASSWORD:
        errors["password"] = viewer.t("reset.weak")
    if not errors and values["role"] is not None:
        try:
            user = auth.create_user(
                session,
                username=username,
                password=password,
                now=now,
                hasher=ctx.hasher,
                **values,
            )
        except WeakPasswordError:
            refused(session, errors, "password", viewer.t("reset.weak"))
        except ConflictError:
            refused(session, errors, "username", viewer.t("err.taken"))
        except (NotFoundError, ValidationFailedError) as exc:
            refused(session, errors, "stores", str(exc))
        else:
            details = {k: v for k, v in values.items() if k != "store_codes"}
            return saved(
                session,
                viewer,
                now,
                "create",
                "user",
                user.id,
                to=f"/console/users/{user.id}?saved=1",
                details=details | {"username": username, "stores": values["store_codes"]},
            )
    return _form_page(request, viewer, session, None, form, errors, 422)


def _target(session: Session, user_id: int) -> User:
    user = auth.user_by_id(session, user_id) if 1 <= user_id <= 2**31 - 1 else None
    if user is None:
        raise PageNotFoundError(f"user {user_id} not found")
    return user


@router.get("/users/{user_id}", response_class=HTMLResponse)
def edit_user_form(
    user_id: int, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    viewer.require(Role.ADMIN)
    return _form_page(request, viewer, session, _target(session, user_id), None, FieldErrors())


@router.post("/users/{user_id}", response_model=None)
def edit_user(
    user_id: int,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.ADMIN)
    target = _target(session, user_id)
    errors = FieldErrors()
    values = _values(form, errors, viewer)
    active = form.get("active") is not None
    if target.id == viewer.principal.user_id and (not active or values["role"] is not Role.ADMIN):
        errors["role"] = viewer.t("adm.not_self")
    if not errors:
        try:
            auth.update_user(session, target, active=active, now=now, hasher=ctx.hasher, **values)
        except (NotFoundError, ValidationFailedError) as exc:
            refused(session, errors, "stores", str(exc))
        else:
            details = {k: v for k, v in values.items() if k != "store_codes"}
            return saved(
                session,
                viewer,
                now,
                "update",
                "user",
                target.id,
                to=f"/console/users/{target.id}?saved=1",
                details=details | {"active": active, "stores": values["store_codes"]},
            )
    return _form_page(request, viewer, session, target, form, errors, 422)


@router.post("/users/{user_id}/reset", response_class=HTMLResponse)
def send_reset(
    user_id: int,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> HTMLResponse:
    """Mails the user a single-use reset link (the same one the forgotten-password page sends)."""
    viewer.require(Role.ADMIN)
    target = _target(session, user_id)
    errors = FieldErrors()
    if not target.email or not target.active:
        errors["email"] = viewer.t("adm.no_email")
        return _form_page(request, viewer, session, target, None, errors, 422)
    request_password_reset(
        session,
        target.username,
        address=None,  # an admin's request: only the per-user mail limit applies
        now=now,
        settings=ctx.settings,
        notifier=ctx.notifier,
    )
    audit(session, viewer.principal, now, "reset_link", "user", target.id)
    session.commit()
    message = viewer.t("adm.reset_sent", email=target.email)
    return _form_page(request, viewer, session, target, None, errors, message=message)


@router.post("/users/{user_id}/unlock", response_model=None)
def unlock_user(user_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep) -> Response:
    """Lifts the account lock and the username's failure counters (cloud/auth/lockout.py)."""
    viewer.require(Role.ADMIN)
    target = _target(session, user_id)
    lockout.unlock(session, target)
    return saved(
        session, viewer, now, "unlock", "user", target.id, to=f"/console/users/{target.id}?saved=1"
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    p = request.query_params
    f = {k: p.get(k, "")[:64].strip() for k in ("actor", "entity", "store", "from", "to")}
    errors = FieldErrors()
    stores = viewer.stores(session)
    store_ids: list[int] | None = None if viewer.is_admin else [s.id for s in stores]
    if f["store"]:
        chosen = [s for s in stores if s.code == f["store"]]
        if not chosen:
            errors["store"] = viewer.t("err.unknown")
        store_ids = [s.id for s in chosen]
    first = parse_day(f["from"], errors, viewer, "from")
    last = parse_day(f["to"], errors, viewer, "to")
    rows: list[Any] = []
    total = 0
    if not errors:
        found, total = audit_entries.list_entries(
            session,
            entity=f["entity"] or None,
            entity_id=None,
            actor=f["actor"] or None,
            store_ids=store_ids,
            since=datetime.combine(first, time.min, tzinfo=UTC) if first else None,
            until=datetime.combine(last, time.min, tzinfo=UTC) + timedelta(days=1)
            if last and last.year < 9999
            else None,
            limit=PAGE,
            offset=offset,
        )
        rows = list(found)
    return render(
        request,
        "admin/audit.html",
        viewer=viewer,
        rows=rows,
        total=total,
        f=f,
        stores=stores,
        codes=_store_codes(session),
        errors=errors,
        offset=offset,
        page=PAGE,
        status_code=422 if errors else 200,
    )
