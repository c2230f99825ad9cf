"""/audit: the audit log; admins see everything, managers their stores' entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cloud.audit import service
from cloud.audit.schemas import AuditOut
from cloud.deps import ManagerUser, Page, PageDep, SessionDep, UtcQueryTime, scope_store_ids

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditOut])
def list_audit(
    user: ManagerUser,
    session: SessionDep,
    page: PageDep,
    entity: Annotated[str | None, Query(max_length=64, examples=["product"])] = None,
    entity_id: Annotated[str | None, Query(max_length=128)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    store: Annotated[str | None, Query(max_length=32)] = None,
    since: UtcQueryTime | None = None,
    until: UtcQueryTime | None = None,
) -> Page[AuditOut]:
    rows, total = service.list_entries(
        session,
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        store_ids=scope_store_ids(session, user, store),
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
    )
    items = [AuditOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
