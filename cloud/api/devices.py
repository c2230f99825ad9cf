"""/stores/{store}/devices: the store's kiosks and shelves with their online state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.deps import (
    CurrentUser,
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    store_for,
)
from cloud.devices import service
from cloud.devices.models import Device
from cloud.devices.schemas import DeviceCreate, DeviceOut
from cloud.stores.models import Store

router = APIRouter(prefix="/stores/{store}/devices", tags=["stores"])

StorePath = Annotated[str, Path(min_length=1, max_length=32, description="Store code")]
NodePath = Annotated[str, Path(min_length=1, max_length=32, description="Node id")]


def device_out(device: Device, store: Store) -> DeviceOut:
    return DeviceOut(
        store=store.code,
        node=device.node,
        kind=device.kind,
        name=device.name,
        online=device.online,
        boot=device.boot,
        last_seen=device.last_seen,
        state_changed_at=device.state_changed_at,
        software_version=device.software_version,
        config_version=device.config_version,
        outbox_depth=device.outbox_depth,
        registered_at=device.registered_at,
    )


@router.get("", response_model=Page[DeviceOut])
def list_devices(
    store: StorePath,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    online: Annotated[bool | None, Query(description="Only online (true) or offline")] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[DeviceOut]:
    row = store_for(session, user, store)
    rows, total = service.list_page(
        session, row.id, online=online, kind=kind, limit=page.limit, offset=page.offset
    )
    items = [device_out(d, row) for d in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=DeviceOut, status_code=status.HTTP_201_CREATED)
def register_device(
    store: StorePath, body: DeviceCreate, user: ManagerUser, session: SessionDep, now: NowDep
) -> DeviceOut:
    row = store_for(session, user, store)
    device = service.register_device(session, row.code, body.node, body.kind, body.name)
    audit(
        session,
        user,
        now,
        "create",
        "device",
        f"{row.code}/{device.node}",
        store_id=row.id,
        details=body.model_dump(),
    )
    session.flush()
    session.refresh(device)
    out = device_out(device, row)
    session.commit()
    return out


@router.get("/{node}", response_model=DeviceOut)
def get_device(
    store: StorePath, node: NodePath, user: CurrentUser, session: SessionDep
) -> DeviceOut:
    row = store_for(session, user, store)
    return device_out(service.get_device(session, row.code, node), row)
