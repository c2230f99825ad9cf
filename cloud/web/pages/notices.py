"""Notices to stores: head office posts to one store or to all, a manager to their stores.
Live notices show on the target stores' dashboards and staff alerts views."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import NotFoundError
from cloud.notices import service
from cloud.notices.exceptions import NoticeError
from cloud.notices.models import LEVELS
from cloud.stores import service as stores
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError
from cloud.web.forms import refused, saved
from cloud.web.pages.inventory import parse_day

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
ALL = "*"


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    form: FormData | None,
    errors: FieldErrors,
    status_code: int = 200,
) -> HTMLResponse:
    codes = stores.codes(session)
    return render(
        request,
        "notices/notices.html",
        viewer=viewer,
        rows=service.visible_to(session, viewer.principal),
        codes=codes,
        stores=viewer.stores(session),
        levels=LEVELS,
        form=form,
        errors=errors,
        status_code=status_code,
    )


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return _page(request, viewer, session, None, FieldErrors())


@router.post("/notices", response_model=None)
def post_notice(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    viewer.require(Role.MANAGER)
    errors = FieldErrors()
    target = text(form, "store", 32)
    store_id: int | None = None
    if target == ALL:
        if not viewer.is_admin:
            errors["store"] = viewer.t("ntc.all_admin_only")
    else:
        found = [s for s in viewer.stores(session) if s.code == target]
        if not found:
            errors["store"] = viewer.t("err.required")
        else:
            store_id = found[0].id
    title = text(form, "title", 400)
    if not title:
        errors["title"] = viewer.t("err.required")
    elif len(title) > service.MAX_TITLE:
        errors["title"] = viewer.t("ntc.too_long", n=service.MAX_TITLE)
    body = text(form, "body", 4000)
    if len(body) > service.MAX_BODY:
        errors["body"] = viewer.t("ntc.too_long", n=service.MAX_BODY)
    level = text(form, "level", 16) or "info"
    if level not in LEVELS:
        errors["level"] = viewer.t("err.unknown")
    expires = parse_day(text(form, "expires", 20), errors, viewer, "expires")
    expires_at = None
    if expires is not None:
        expires_at = datetime.combine(expires, time.max, tzinfo=UTC)
        if expires_at <= now:
            errors["expires"] = viewer.t("ntc.past")
    if not errors:
        try:
            row = service.post(
                session,
                viewer.principal,
                store_id=store_id,
                title=title,
                body=body,
                level=level,
                now=now,
                expires_at=expires_at,
            )
        except NoticeError as exc:
            refused(session, errors, "title", str(exc))
        else:
            return saved(
                session,
                viewer,
                now,
                "create",
                "notice",
                row.id,
                to="/console/notices?sent=1",
                store_id=store_id,
                details={"title": title, "level": level},
            )
    return _page(request, viewer, session, form, errors, 422)


@router.post("/notices/{notice_id}/withdraw", response_model=None)
def withdraw(notice_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep) -> Response:
    viewer.require(Role.MANAGER)
    if not 1 <= notice_id <= 2**31 - 1:
        raise PageNotFoundError("no such notice")
    try:
        row = service.withdraw(session, viewer.principal, notice_id)
    except (NotFoundError, NoticeError) as exc:
        raise PageNotFoundError(str(exc)) from exc
    except PermissionDeniedError as exc:
        raise ForbiddenPageError(str(exc)) from exc
    audit(session, viewer.principal, now, "withdraw", "notice", row.id, store_id=row.store_id)
    session.commit()
    return RedirectResponse("/console/notices", status_code=303)
