"""Stores and devices: state, last seen, outbox depth, software/config version, and commands
(tare, lock, unlock, reload) published as ``contracts.messages.Command`` through the broker."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.devices import service as device_service
from cloud.web.commands import COMMANDS, build_command, send_command
from cloud.web.console import ConsoleDep, FormDep, ViewerDep, render, text
from cloud.web.exceptions import CommandError, PageNotFoundError

router = APIRouter(prefix="/console")


@router.get("/stores", response_class=HTMLResponse)
def stores(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return render(request, "stores.html", viewer=viewer, rows=viewer.stores(session))


def _page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    code: str,
    message: str = "",
    failed: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    store = viewer.store(session, code)
    devices = device_service.in_store(session, store.id)
    return render(
        request,
        "devices.html",
        viewer=viewer,
        store=store,
        devices=devices,
        commands=COMMANDS,
        message=message,
        failed=failed,
        status_code=status_code,
    )


@router.get("/stores/{code}", response_class=HTMLResponse)
def devices(code: str, request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return _page(request, viewer, session, code)


@router.post("/stores/{code}/devices/{node}/command", response_class=HTMLResponse)
def command(
    code: str,
    node: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    console: ConsoleDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    store = viewer.store(session, code)
    device = device_service.in_store_node(session, store.id, node[:32])
    if device is None:
        raise PageNotFoundError(f"device {node!r} not found")
    name = text(form, "name", 32)
    try:
        topic, cmd = build_command(
            store.code, device.node, name, now=now, by=viewer.principal.username
        )
        send_command(console.commands, topic, cmd)
    except CommandError as exc:
        return _page(
            request,
            viewer,
            session,
            code,
            viewer.t("stores.failed", error=str(exc)),
            failed=True,
            status_code=502 if name in COMMANDS else 422,
        )
    audit(
        session,
        viewer.principal,
        now,
        "command",
        "device",
        device.node,
        store_id=store.id,
        details={"name": name, "command_id": cmd.command_id},
    )
    session.commit()
    return _page(request, viewer, session, code, viewer.t("stores.sent", name=name, node=node))
