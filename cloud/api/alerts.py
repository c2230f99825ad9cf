"""/alerts: list per store and status; acknowledge, assign and resolve in one's own stores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query

from cloud.alerts import service
from cloud.alerts.models import Alert
from cloud.alerts.schemas import AlertAssign, AlertOut, AlertStatusFilter
from cloud.auth.service import Principal
from cloud.deps import (
    CurrentUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    UtcQueryTime,
    audit,
    check_store_id,
    scope_store_ids,
)
from cloud.stores import service as stores
from cloud.tasks import service as tasks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/alerts", tags=["alerts"])

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_GROUPS = {
    "open": ("active_unack", "active_ack"),
    "cleared": ("cleared_unack", "cleared_ack"),
}


def _codes(session: Session, ids: set[int]) -> dict[int, str]:
    return stores.codes(session, ids)


def alert_out(alert: Alert, store_code: str) -> AlertOut:
    return AlertOut(
        id=alert.id,
        store=store_code,
        source=alert.source,
        type=alert.type,
        severity=alert.severity,
        status=alert.status,
        message=alert.message,
        details=alert.details,
        assignee=alert.assignee,
        occurrences=alert.occurrences,
        opened_at=alert.opened_at,
        last_seen_at=alert.last_seen_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by,
        escalated=alert.escalated,
    )


def _scoped(session: Session, user: Principal, alert_id: int) -> Alert:
    alert = service.get_alert(session, alert_id)
    check_store_id(user, alert.store_id)
    return alert


@router.get("", response_model=Page[AlertOut])
def list_alerts(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    status: Annotated[
        AlertStatusFilter | None, Query(description="A status or open/cleared")
    ] = None,
    type: Annotated[str | None, Query(max_length=32, description="e.g. out_of_stock")] = None,
    since: Annotated[UtcQueryTime | None, Query(description="Opened at or after")] = None,
) -> Page[AlertOut]:
    rows, total = service.list_page(
        session,
        store_ids=scope_store_ids(session, user, store),
        statuses=None if status is None else _GROUPS.get(status, (status,)),
        alert_type=type,
        since=since,
        limit=page.limit,
        offset=page.offset,
    )
    codes = _codes(session, {a.store_id for a in rows})
    items = [alert_out(a, codes.get(a.store_id, "")) for a in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertId, user: CurrentUser, session: SessionDep) -> AlertOut:
    alert = _scoped(session, user, alert_id)
    return alert_out(alert, _codes(session, {alert.store_id})[alert.store_id])


def _done(session: Session, user: Principal, now: NowDep, alert: Alert, action: str) -> AlertOut:
    audit(
        session,
        user,
        now,
        action,
        "alert",
        alert.id,
        store_id=alert.store_id,
        details={"status": alert.status, "assignee": alert.assignee},
    )
    out = alert_out(alert, _codes(session, {alert.store_id})[alert.store_id])
    session.commit()
    return out


@router.post(
    "/{alert_id}/acknowledge",
    response_model=AlertOut,
    responses={409: {"description": "Already acknowledged"}},
)
def acknowledge(alert_id: AlertId, user: StaffUser, session: SessionDep, now: NowDep) -> AlertOut:
    """Staff and managers of the alert's store (and admins)."""
    _scoped(session, user, alert_id)
    alert = service.acknowledge(session, alert_id, by=user.username, now=now)
    return _done(session, user, now, alert, "acknowledge")


@router.post("/{alert_id}/assign", response_model=AlertOut)
def assign(
    alert_id: AlertId, body: AlertAssign, user: StaffUser, session: SessionDep, now: NowDep
) -> AlertOut:
    _scoped(session, user, alert_id)
    alert = service.assign(session, alert_id, body.assignee)
    return _done(session, user, now, alert, "assign")


@router.post(
    "/{alert_id}/resolve",
    response_model=AlertOut,
    responses={409: {"description": "Already cleared"}},
)
def resolve(alert_id: AlertId, user: StaffUser, session: SessionDep, now: NowDep) -> AlertOut:
    _scoped(session, user, alert_id)
    alert = service.resolve(session, alert_id, by=user.username, now=now)
    tasks.alert_resolved(session, alert, by=user.username, now=now)
    return _done(session, user, now, alert, "resolve")
