"""Customer feedback in the console: the stores' feedback, new first, assigned to someone of
the store, answered with a reply and closed (audited); the shopper sees the reply on their
e-receipt page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth import service as auth
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import InvalidTransitionError
from cloud.feedback import service as feedback
from cloud.web.console import FormDep, ViewerDep, render, text
from cloud.web.exceptions import PageNotFoundError

router = APIRouter(prefix="/console")


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    show: Annotated[str, Query(max_length=8)] = "open",
    error: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    stores = viewer.stores(session)
    rows, _ = feedback.list_page(
        session,
        store_ids=[s.id for s in stores],
        with_chain=viewer.is_admin,
        statuses=None if show == "all" else ("new", "answered"),
        limit=200,
    )
    return render(
        request,
        "feedback.html",
        viewer=viewer,
        rows=rows,
        names={s.id: s.name for s in stores},
        staff={s.id: auth.store_staff(session, s.id) for s in stores},
        show="all" if show == "all" else "open",
        error=viewer.t("alerts.stale") if error else "",
    )


@router.post("/feedback/{feedback_id}", response_model=None)
def handle(
    feedback_id: int, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    """One form per row: its button says assign, answer or close."""
    viewer.require(Role.MANAGER)
    row = feedback.find(session, feedback_id)
    allowed = {s.id for s in viewer.stores(session)}
    if row is None or not (row.store_id in allowed or (row.store_id is None and viewer.is_admin)):
        raise PageNotFoundError(f"feedback {feedback_id} not found")
    action = text(form, "action", 8)
    if action not in feedback.ACTIONS:
        raise PageNotFoundError(f"unknown action {action!r}")
    who = text(form, "assignee", 64) or None
    staff = auth.store_staff(session, row.store_id) if row.store_id else []
    if action == "assign" and who is not None and who not in staff:
        raise PageNotFoundError(f"{who!r} is not staff of this store")
    try:
        feedback.act(session, row, action, by=viewer.principal.username, now=now,
                     assignee=who, response=text(form, "response", 1000))  # fmt: skip
    except InvalidTransitionError:
        session.rollback()
        return RedirectResponse("/console/feedback?error=stale", status_code=303)
    details = {"status": row.status, "assignee": row.assignee}
    audit(session, viewer.principal, now, action, "feedback", feedback_id,
          store_id=row.store_id, details=details)  # fmt: skip
    session.commit()
    return RedirectResponse("/console/feedback", status_code=303)
