"""The helper every write calls, the API's routers and the data teammate's services alike.

It adds the row to the caller's session so the audit entry commits or rolls back with the
change it describes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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
