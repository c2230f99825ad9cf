"""The helper every write calls, the API's routers and the data teammate's services alike,
and the log's reads for the API and the console.

It adds the row to the caller's session so the audit entry commits or rolls back with the
change it describes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cloud.audit import repository
from cloud.audit.models import AuditEntry


def _jsonable(details: dict[str, Any] | None) -> dict[str, Any]:
    # Decimals, datetimes and enums become strings: the JSON column must never fail a write.
    return dict(json.loads(json.dumps(details or {}, default=str)))


def record(
    session: Session,
    *,
    at: datetime,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    actor: str = "system",
    actor_id: int | None = None,
    store_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor=actor,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        store_id=store_id,
        details=_jsonable(details),
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    entity: str | None,
    entity_id: str | None,
    actor: str | None,
    store_ids: Sequence[int] | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[AuditEntry], int]:
    """One page of entries matching the filters (newest first) and the total that match."""
    return repository.list_entries(
        session,
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        store_ids=store_ids,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
