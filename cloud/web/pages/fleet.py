"""Node credentials (admins only): issue a node's MQTT login, show its password once, revoke it,
and list every node with its credential and connection state.

The registry and broker files belong to ``cloud.fleet`` (the same code as ``smartstore device
…``); this page only drives it. The password is rendered in the POST response and never stored
or audited (the registry keeps a hash), and the response says ``no-store`` so no cache keeps
it either. If the broker cannot be told to reload, the login is still issued and shown, with
a warning, because the files are already written and a lost password would help nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.devices import service as device_service
from cloud.devices.models import Device
from cloud.exceptions import CloudError
from cloud.fleet.exceptions import FleetError, ReloadError
from cloud.fleet.registry import NodeRecord
from cloud.fleet.reload import BrokerReloader, make_reloader
from cloud.fleet.service import Fleet, IssuedCredentials
from cloud.mqtt import parse_mqtt_url
from cloud.settings import CloudSettings
from cloud.settings.fleet import FleetSettings
from cloud.stores import service as stores
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import PageNotFoundError
from contracts.exceptions import ContractError
from contracts.topics import validate_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
KINDS = device_service.DEVICE_KINDS
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _NoteReload:
    """Runs the configured reload but keeps its error for the page instead of raising."""

    def __init__(self, inner: BrokerReloader) -> None:
        self.inner = inner
        self.error: str | None = None

    def reload(self) -> None:
        try:
            self.inner.reload()
        except ReloadError as exc:
            self.error = str(exc)


def _fleet(settings: CloudSettings) -> tuple[Fleet, _NoteReload] | None:
    fleet_settings: FleetSettings | None = settings.fleet
    if fleet_settings is None:
        return None
    reloader = _NoteReload(make_reloader(fleet_settings.reload))
    return Fleet(fleet_settings, reloader=reloader), reloader


def _valid_id(value: str) -> bool:
    try:
        validate_id(value)
    except ContractError:
        return False
    return True


@dataclass
class Row:
    """One node: its credentials (registry) beside its connection (device table)."""

    store: str
    node: str
    kind: str
    credential: str  # active, revoked, none
    issued_at: datetime | None
    revoked_at: datetime | None
    device: Device | None


def _rows(session: Session, records: list[NodeRecord]) -> list[Row]:
    codes = stores.codes(session)
    devices = {
        (codes.get(d.store_id, "?"), d.node): d for d in device_service.every_device(session)
    }
    rows = [
        Row(
            r.store,
            r.node,
            r.kind,
            "active" if r.active else "revoked",
            r.issued_at,
            r.revoked_at,
            devices.pop((r.store, r.node), None),
        )
        for r in records
    ]
    rows += [Row(s, n, d.kind, "none", None, None, d) for (s, n), d in devices.items()]
    return sorted(rows, key=lambda row: (row.store, row.node))


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    settings: CloudSettings,
    *,
    form: FormData | None = None,
    errors: FieldErrors | None = None,
    issued: IssuedCredentials | None = None,
    message: str = "",
    warning: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    built = _fleet(settings)
    records = built[0].nodes() if built is not None else []
    env_line = ""
    if issued is not None:
        broker = parse_mqtt_url(settings.mqtt_url)
        env_line = "SMARTSTORE_MQTT_URL=" + issued.mqtt_url(broker.host, broker.port, broker.tls)
    response = render(
        request,
        "fleet/fleet.html",
        viewer=viewer,
        enabled=built is not None,
        rows=_rows(session, records),
        stores=list(stores.list_stores(session)),
        kinds=KINDS,
        form=form,
        errors=errors or FieldErrors(),
        issued=issued,
        env_line=env_line,
        message=message,
        warning=warning,
        status_code=status_code,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/fleet", response_class=HTMLResponse)
def fleet_page(
    request: Request, viewer: ViewerDep, session: SessionDep, ctx: CtxDep
) -> HTMLResponse:
    viewer.require(Role.ADMIN)
    return _page(request, viewer, session, ctx.settings)


@router.post("/fleet/provision", response_class=HTMLResponse)
def provision(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.ADMIN)
    t = viewer.t
    built = _fleet(ctx.settings)
    if built is None:
        return _page(
            request, viewer, session, ctx.settings, message=t("fleet.disabled"), status_code=409
        )
    fleet, reloader = built
    errors = FieldErrors()
    code, node, kind = text(form, "store", 32), text(form, "node", 64), text(form, "kind", 16)
    store = None
    if _valid_id(code):  # also keeps NUL bytes away from PostgreSQL
        store = stores.find_store(session, code)
    if store is None:
        errors["store"] = t("err.required")
    if not _valid_id(node):
        errors["node"] = t("fleet.bad_node")
    if kind not in KINDS:
        errors["kind"] = t("err.required")
    if errors or store is None:
        return _page(
            request, viewer, session, ctx.settings, form=form, errors=errors, status_code=422
        )
    rotate = form.get("rotate") == "1"
    try:
        issued = fleet.provision(store.code, node, kind=kind, rotate=rotate)
    except FleetError as exc:
        errors["node"] = t("fleet.active", error=str(exc))
        return _page(
            request, viewer, session, ctx.settings, form=form, errors=errors, status_code=409
        )
    if device_service.find_device(session, store.code, node) is None:
        device_service.register_device(session, store.code, node, kind)
    audit(
        session,
        viewer.principal,
        now,
        "rotate" if rotate else "provision",
        "node_credentials",
        issued.username,
        store_id=store.id,
        details={"kind": kind},
    )
    session.commit()
    warning = t("fleet.reload_failed", error=reloader.error) if reloader.error else ""
    return _page(request, viewer, session, ctx.settings, issued=issued, warning=warning)


@router.post("/fleet/{code}/{node}/revoke", response_class=HTMLResponse)
def revoke(
    code: str,
    node: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.ADMIN)
    built = _fleet(ctx.settings)
    if built is None:
        raise PageNotFoundError("fleet provisioning is not configured")
    fleet, reloader = built
    try:
        fleet.revoke(code[:32], node[:32])
    except (CloudError, ValueError) as exc:  # unknown or already revoked, malformed ids
        raise PageNotFoundError(str(exc)) from exc
    store = stores.find_store(session, code)
    audit(
        session,
        viewer.principal,
        now,
        "revoke",
        "node_credentials",
        f"{code}/{node}",
        store_id=store.id if store is not None else None,
    )
    session.commit()
    t = viewer.t
    warning = t("fleet.reload_failed", error=reloader.error) if reloader.error else ""
    return _page(
        request,
        viewer,
        session,
        ctx.settings,
        message=t("fleet.revoked", username=f"{code}/{node}"),
        warning=warning,
    )
