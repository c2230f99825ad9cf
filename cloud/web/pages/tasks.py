"""The store's tasks in the console, phone-first: my tasks on top, then the store's open work
(escalated, then soonest due), each with its actions (take, start, done; managers assign and
cancel); a form for a new task (due time in the store's zone); managers see per-person figures
for the last seven local days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth import service as auth
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import ConflictError, InvalidTransitionError
from cloud.stores.localtime import local_today, zone
from cloud.tasks import service as tasks
from cloud.tasks.models import TASK_KINDS
from cloud.tasks.rules import ACTIONS, OPEN, is_overdue
from cloud.web.console import FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.stores.models import Store

router = APIRouter(prefix="/console")


@router.get("/tasks")
def my_store_tasks(viewer: ViewerDep, session: SessionDep) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "tasks")


@router.get("/s/{code}/tasks", response_class=HTMLResponse)
def tasks_page(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    show: Annotated[str, Query(max_length=8)] = "open",
    error: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    show = "all" if show == "all" else "open"
    mine, _ = tasks.list_page(session, store_ids=[store.id], statuses=OPEN,
                              assignee=viewer.principal.username, limit=50)  # fmt: skip
    rows, _ = tasks.list_page(
        session, store_ids=[store.id], statuses=OPEN if show == "open" else None, limit=200
    )
    return render(
        request, "tasks.html", viewer=viewer, store=store, show=show, assigned=mine, rows=rows,
        kinds=TASK_KINDS, staff=auth.store_staff(session, store.id), now=now,
        overdue=is_overdue, manager=viewer.is_admin or viewer.role is Role.MANAGER,
        metrics=_metrics(session, viewer, store, now),
        error=viewer.t(f"task.err.{error}") if error in ERRORS else "",
    )  # fmt: skip


ERRORS = ("stale", "taken", "title", "due", "assignee", "forbidden")


def _metrics(session: Session, viewer: Viewer, store: Store, now: datetime) -> list[object]:
    if not (viewer.is_admin or viewer.role is Role.MANAGER):
        return []
    tz = zone(store.timezone)
    first = local_today(tz, now) - timedelta(days=6)
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    return list(tasks.metrics(session, [store.id], start, now + timedelta(seconds=1), now))


def _back(store: Store, error: str = "") -> RedirectResponse:
    suffix = f"?error={error}" if error else ""
    return RedirectResponse(f"/console/s/{store.code}/tasks{suffix}", status_code=303)


def _due(form_value: str, store: Store) -> datetime | None:
    """A ``datetime-local`` value in the store's zone, as UTC (ValueError when malformed)."""
    if not form_value:
        return None
    local = datetime.fromisoformat(form_value)
    if local.tzinfo is not None or not 2000 <= local.year <= 2100:
        raise ValueError(form_value)
    return local.replace(tzinfo=zone(store.timezone)).astimezone(UTC)


@router.post("/s/{code}/tasks", response_model=None)
def create_task(
    code: str, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    kind, title = text(form, "kind", 16), text(form, "title", 200)
    who = text(form, "assignee", 64) or None
    if kind not in TASK_KINDS or not title:
        return _back(store, "title")
    try:
        due = _due(text(form, "due", 32), store)
    except ValueError:
        return _back(store, "due")
    manager = viewer.is_admin or viewer.role is Role.MANAGER
    if who is not None and (who not in auth.store_staff(session, store.id)
                            or (not manager and who != viewer.principal.username)):  # fmt: skip
        return _back(store, "assignee")
    task = tasks.create(session, store_id=store.id, kind=kind, title=title, now=now,
                        by=viewer.principal.username, due_at=due, assignee=who,
                        note=text(form, "note", 2000))  # fmt: skip
    audit(session, viewer.principal, now, "create", "task", task.id, store_id=store.id,
          details={"kind": kind, "via": "console"})  # fmt: skip
    session.commit()
    return _back(store)


@router.post("/s/{code}/tasks/{task_id}/{action}", response_model=None)
def task_action(
    code: str,
    task_id: int,
    action: str,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    task = tasks.find(session, task_id)
    if task is None or task.store_id != store.id or action not in ACTIONS:
        raise PageNotFoundError(f"task {task_id} not found")
    me = viewer.principal.username
    manager = viewer.is_admin or viewer.role is Role.MANAGER
    who = text(form, "assignee", 64) or None
    if action == "assign":
        if who is not None and who not in auth.store_staff(session, store.id):
            return _back(store, "assignee")
        if not manager and (who, task.assignee) not in ((me, None), (None, me)):
            return _back(store, "forbidden")
    if action == "cancel" and not manager:
        raise ForbiddenPageError("only managers cancel tasks")
    try:
        tasks.act(session, task, action, by=me, now=now, assignee=who, may_override=manager)
    except InvalidTransitionError:
        session.rollback()
        return _back(store, "stale")
    except ConflictError:
        session.rollback()
        return _back(store, "taken")
    audit(session, viewer.principal, now, action, "task", task.id, store_id=store.id,
          details={"status": task.status, "via": "console"})  # fmt: skip
    session.commit()
    return _back(store)
