"""The staff alerts view: phone-first, one store, live over SSE; acknowledge, assign, resolve.

The list is a fragment the page re-fetches (htmx) whenever the SSE stream says the store's
alerts changed: ingest (restock auto-resolve), escalation, or another staff member's action.
The push (the phone's vibration and tone on a new out-of-stock) is only for staff clocked in at
the store (managers always); off shift, the list still stays live, silently, since the same
stream also drives the shelf map and the dashboard.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import FormData

from cloud.alerts import service as alerts
from cloud.alerts.models import Alert
from cloud.attendance import service as attendance
from cloud.auth import service as auth
from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.exceptions import InvalidTransitionError, NotFoundError
from cloud.notices.service import current_for as current_notices
from cloud.stores.models import Store
from cloud.tasks import service as tasks
from cloud.web.alert_words import alert_text, product_names
from cloud.web.console import (
    ConsoleDep,
    FormDep,
    Viewer,
    ViewerDep,
    get_console,
    get_viewer,
    render,
    text,
)
from cloud.web.exceptions import PageNotFoundError
from cloud.web.i18n import Translator

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
OPEN = ("active_unack", "active_ack")
KEEPALIVE_S = 15.0


def alert_view(alert: Alert, text: str = "") -> dict[str, Any]:
    """Display values, including the two durations the issue asks for."""
    ack = alerts.time_to_acknowledge(alert)
    restock = alert.details.get("time_to_restock_s") if alert.details else None
    return {
        "a": alert,
        "text": text or alert.message,
        "open": alert.status in OPEN,
        "acked": alert.acknowledged_at is not None,
        "time_to_ack": ack,
        "time_to_restock": restock,
        "time_to_resolve": alerts.time_to_resolve(alert),
    }


def pushes_for(session: Session, viewer: Viewer, store_id: int) -> bool:
    """Staff get alert pushes only while clocked in at the store; other roles always."""
    if viewer.role is not Role.STAFF:
        return True
    return attendance.is_on_shift(session, store_id, viewer.principal.username)


def _store_users(session: Session, store_id: int) -> list[str]:
    return auth.store_staff(session, store_id)


def _list(session: Session, store: Store, show: str, t: Translator) -> list[dict[str, Any]]:
    rows = alerts.board(session, store.id, open_only=show != "all")
    names = product_names(session, rows, t)
    return [alert_view(a, alert_text(a, t, names)) for a in rows]


def _fragment(
    request: Request, viewer: Viewer, session: Session, store: Store, show: str, **extra: Any
) -> HTMLResponse:
    return render(
        request,
        "_alerts.html",
        viewer=viewer,
        store=store,
        show=show,
        items=_list(session, store, show, viewer.t),
        users=_store_users(session, store.id),
        **extra,
    )


@router.get("/alerts")
def my_alerts(viewer: ViewerDep, session: SessionDep) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "alerts")


@router.get("/s/{code}/alerts", response_class=HTMLResponse)
def alerts_page(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    show: Annotated[str, Query(max_length=8)] = "open",
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    show = "all" if show == "all" else "open"
    return render(
        request,
        "alerts.html",
        viewer=viewer,
        store=store,
        notices=current_notices(session, [store.id], now),
        show=show,
        items=_list(session, store, show, viewer.t),
        users=_store_users(session, store.id),
        push=pushes_for(session, viewer, store.id),
        my_tasks=tasks.list_page(session, store_ids=[store.id], statuses=("open", "in_progress"),
                                 assignee=viewer.principal.username, limit=1)[1],
    )  # fmt: skip


@router.get("/s/{code}/alerts/list", response_class=HTMLResponse)
def alerts_list(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    show: Annotated[str, Query(max_length=8)] = "open",
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    return _fragment(request, viewer, session, store, "all" if show == "all" else "open")


def _act(
    action: str,
    alert_id: int,
    viewer: Viewer,
    session: Session,
    store: Store,
    form: FormData,
    now: Any,
) -> str:
    """Apply one action; returns an error key for the page, or ''."""
    alert = alerts.find_alert(session, alert_id)
    if alert is None or alert.store_id != store.id:
        raise PageNotFoundError(f"alert {alert_id} not found")
    by = viewer.principal.username
    try:
        if action == "ack":
            alerts.acknowledge(session, alert_id, by=by, now=now)
        elif action == "resolve":
            tasks.alert_resolved(
                session, alerts.resolve(session, alert_id, by=by, now=now), by=by, now=now
            )
        elif action == "assign":
            who = text(form, "assignee", 64) or None
            if who is not None and who not in _store_users(session, store.id):
                return "alerts.bad_assignee"
            alerts.assign(session, alert_id, who)
        else:
            raise PageNotFoundError(f"unknown action {action!r}")
    except InvalidTransitionError:
        session.rollback()
        return "alerts.stale"
    except NotFoundError as exc:
        raise PageNotFoundError(str(exc)) from exc
    audit(
        session,
        viewer.principal,
        now,
        {"ack": "acknowledge"}.get(action, action),
        "alert",
        alert_id,
        store_id=store.id,
        details={"status": alert.status, "via": "console"},
    )
    session.commit()
    return ""


@router.post("/s/{code}/alerts/{alert_id}/{action}", response_model=None)
def alert_action(
    code: str,
    alert_id: int,
    action: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
    console: ConsoleDep,
) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    if not 1 <= alert_id <= 2**31 - 1:
        raise PageNotFoundError("no such alert")
    error = _act(action, alert_id, viewer, session, store, form, now)
    console.hub.notify(store.id)
    show = "all" if text(form, "show", 8) == "all" else "open"
    if request.headers.get("HX-Request"):
        return _fragment(
            request, viewer, session, store, show, error=viewer.t(error) if error else ""
        )
    return RedirectResponse(f"/console/s/{store.code}/alerts?show={show}", status_code=303)


@router.get("/s/{code}/alerts/stream")
async def alerts_stream(code: str, request: Request, ctx: CtxDep) -> StreamingResponse:
    """SSE: one ``changed`` event whenever the store's alerts change, pings in between."""

    def check() -> int:
        with ctx.sessions() as session:
            viewer = get_viewer(request, session, ctx, ctx.clock(), FormData())
            viewer.require(Role.STAFF, Role.MANAGER)
            return viewer.store(session, code).id

    store_id = await asyncio.to_thread(check)
    hub = get_console(request).hub
    queue = hub.subscribe(store_id)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    kind = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                yield f"event: {kind}\ndata: {store_id}\n\n"
        finally:
            hub.unsubscribe(store_id, queue)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
