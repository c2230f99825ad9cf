"""/tasks: staff and managers list, create and work their stores' tasks; managers cancel,
assign to anyone of the store and read per-person metrics. Staff may take an unassigned task
or give back their own, and may not start or finish a task assigned to someone else (409)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.auth import service as auth
from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role
from cloud.deps import (
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    audit,
    check_store_id,
    scope_store_ids,
    store_for,
)
from cloud.exceptions import ValidationFailedError
from cloud.stores import service as stores
from cloud.stores.localtime import local_today, zone
from cloud.tasks import service
from cloud.tasks.models import Task
from cloud.tasks.rules import OPEN, is_overdue
from cloud.tasks.schemas import (
    Action,
    Kind,
    PersonMetricsOut,
    StatusFilter,
    TaskAction,
    TaskIn,
    TaskOut,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.auth.service import Principal

router = APIRouter(prefix="/tasks", tags=["tasks"])
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_GROUPS = {"open": OPEN, "closed": ("done", "cancelled")}
MAX_DAYS = 93


def task_out(task: Task, store_code: str, now: datetime) -> TaskOut:
    return TaskOut(
        id=task.id, store=store_code, kind=task.kind, title=task.title, note=task.note,
        source=task.source, alert_id=task.alert_id, status=task.status, priority=task.priority,
        assignee=task.assignee, created_by=task.created_by, created_at=task.created_at,
        due_at=task.due_at, started_at=task.started_at, done_at=task.done_at,
        done_by=task.done_by, overdue=is_overdue(task.status, task.due_at, now),
        escalated_at=task.escalated_at,
    )  # fmt: skip


def _code(session: Session, store_id: int) -> str:
    return stores.codes(session, {store_id}).get(store_id, "")


def _check_assignee(session: Session, store_id: int, who: str | None) -> None:
    if who is not None and who not in auth.store_staff(session, store_id):
        raise ValidationFailedError(f"{who!r} is not staff of this store")


@router.get("", response_model=Page[TaskOut])
def list_tasks(
    user: StaffUser,
    session: SessionDep,
    page: PageDep,
    now: NowDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    status: Annotated[StatusFilter | None, Query(description="A status or open/closed")] = None,
    kind: Annotated[Kind | None, Query()] = None,
    mine: Annotated[bool, Query(description="Only tasks assigned to me")] = False,
) -> Page[TaskOut]:
    """Open work first (escalated, then soonest due), then the rest newest first."""
    rows, total = service.list_page(
        session,
        store_ids=scope_store_ids(session, user, store),
        statuses=None if status is None else _GROUPS.get(status, (status,)),
        kind=kind,
        assignee=user.username if mine else None,
        limit=page.limit,
        offset=page.offset,
    )
    codes = stores.codes(session, {t.store_id for t in rows})
    items = [task_out(t, codes.get(t.store_id, ""), now) for t in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=TaskOut, status_code=status.HTTP_201_CREATED)
def create_task(body: TaskIn, user: StaffUser, session: SessionDep, now: NowDep) -> TaskOut:
    """Any kind, restock included (a hand-made restock task does not follow a lane's alerts)."""
    store = store_for(session, user, body.store)
    if user.role is Role.STAFF and body.assignee not in (None, user.username):
        raise PermissionDeniedError("staff assign tasks only to themselves")
    _check_assignee(session, store.id, body.assignee)
    task = service.create(
        session, store_id=store.id, kind=body.kind, title=body.title, now=now,
        by=user.username, note=body.note, source=body.source, due_at=body.due_at,
        assignee=body.assignee, priority=body.priority,
    )  # fmt: skip
    audit(session, user, now, "create", "task", task.id, store_id=store.id,
          details={"kind": task.kind, "assignee": task.assignee})  # fmt: skip
    out = task_out(task, store.code, now)
    session.commit()
    return out


@router.get("/metrics", response_model=list[PersonMetricsOut])
def task_metrics(
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
    from_: Annotated[date | None, Query(alias="from", description="First local day")] = None,
    to: Annotated[date | None, Query(description="Last local day; default: today there")] = None,
) -> list[PersonMetricsOut]:
    """Per person: done (on time), open and overdue now, median minutes to start and to done."""
    row = store_for(session, user, store)
    tz = zone(row.timezone)
    last = to or local_today(tz, now)
    first = from_ or last - timedelta(days=6)
    if last < first or (last - first).days >= MAX_DAYS or first.year < 2000 or last.year > 2100:
        raise ValidationFailedError(
            f"'to' before 'from', more than {MAX_DAYS} days, or out of range"
        )
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    people = service.metrics(session, [row.id], start, end, now)
    return [PersonMetricsOut.model_validate(p, from_attributes=True) for p in people]


def _scoped(session: Session, user: Principal, task_id: int) -> Task:
    task = service.get(session, task_id)
    check_store_id(user, task.store_id)
    return task


@router.get("/{task_id}", response_model=TaskOut)
def get_task(task_id: TaskId, user: StaffUser, session: SessionDep, now: NowDep) -> TaskOut:
    task = _scoped(session, user, task_id)
    return task_out(task, _code(session, task.store_id), now)


@router.post(
    "/{task_id}/{action}",
    response_model=TaskOut,
    responses={409: {"description": "Closed already, or assigned to someone else"}},
)
def task_action(
    task_id: TaskId,
    action: Action,
    user: StaffUser,
    session: SessionDep,
    now: NowDep,
    body: TaskAction | None = None,
) -> TaskOut:
    """assign (body: assignee), start, done, cancel (managers). A restock task done or
    cancelled resolves its lane's open low/out-of-stock alerts."""
    task = _scoped(session, user, task_id)
    manager = user.role is not Role.STAFF
    who = body.assignee if body is not None else None
    if action == "cancel" and not manager:
        raise PermissionDeniedError("only managers cancel tasks")
    if action == "assign":
        if not manager and (who, task.assignee) not in (
            (user.username, None),
            (None, user.username),
        ):
            raise PermissionDeniedError("staff take an unassigned task or give back their own")
        _check_assignee(session, task.store_id, who)
    service.act(session, task, action, by=user.username, now=now, assignee=who,
                may_override=manager)  # fmt: skip
    audit(session, user, now, action, "task", task.id, store_id=task.store_id,
          details={"status": task.status, "assignee": task.assignee})  # fmt: skip
    out = task_out(task, _code(session, task.store_id), now)
    session.commit()
    return out
