"""/deadletters: rejected MQTT messages with their reason; replay after a fix (admin)."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from cloud.deadletters import service as dead_letters
from cloud.deadletters.schemas import DeadLetterOut, ReplayIn, ReplayOut
from cloud.deps import AdminUser, NowDep, Page, PageDep, SessionDep, audit
from cloud.ingest import service
from cloud.ingest.models import DeadLetter

router = APIRouter(prefix="/deadletters", tags=["deadletters"])

DeadLetterId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def dead_letter_out(row: DeadLetter) -> DeadLetterOut:
    raw = bytes(row.payload)
    return DeadLetterOut(
        id=row.id,
        topic=row.topic,
        payload_text=raw.decode("utf-8", "replace"),
        payload_base64=base64.b64encode(raw).decode("ascii"),
        reason=row.reason,
        status=row.status,
        attempts=row.attempts,
        received_at=row.received_at,
        replayed_at=row.replayed_at,
    )


@router.get("", response_model=Page[DeadLetterOut])
def list_dead_letters(
    admin: AdminUser,
    session: SessionDep,
    page: PageDep,
    status: Annotated[Literal["new", "replayed", "failed", "discarded"] | None, Query()] = None,
    topic: Annotated[str | None, Query(max_length=300, description="Topic contains")] = None,
) -> Page[DeadLetterOut]:
    rows, total = dead_letters.list_page(
        session, status=status, topic=topic, limit=page.limit, offset=page.offset
    )
    items = [dead_letter_out(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{dead_letter_id}", response_model=DeadLetterOut)
def get_dead_letter(
    dead_letter_id: DeadLetterId, admin: AdminUser, session: SessionDep
) -> DeadLetterOut:
    return dead_letter_out(service.get_dead_letter(session, dead_letter_id))


@router.post(
    "/{dead_letter_id}/replay",
    response_model=ReplayOut,
    responses={409: {"description": "Already replayed or discarded"}},
)
def replay(
    dead_letter_id: DeadLetterId,
    body: ReplayIn,
    admin: AdminUser,
    session: SessionDep,
    now: NowDep,
) -> ReplayOut:
    """Validate and apply again, optionally with a corrected payload or topic."""
    result = service.replay_dead_letter(
        session,
        dead_letter_id,
        now,
        payload=None if body.payload is None else body.payload.encode("utf-8", "surrogatepass"),
        topic=body.topic,
    )
    audit(
        session,
        admin,
        now,
        "replay",
        "dead_letter",
        dead_letter_id,
        details={"ok": result.ok, "applied": result.applied, "reason": result.reason},
    )
    row = service.get_dead_letter(session, dead_letter_id)
    out = ReplayOut(
        dead_letter=dead_letter_out(row), ok=result.ok, applied=result.applied, reason=result.reason
    )
    session.commit()
    return out


@router.post(
    "/{dead_letter_id}/discard",
    response_model=DeadLetterOut,
)
def discard(
    dead_letter_id: DeadLetterId, admin: AdminUser, session: SessionDep, now: NowDep
) -> DeadLetterOut:
    row = service.discard_dead_letter(session, dead_letter_id)
    audit(session, admin, now, "discard", "dead_letter", dead_letter_id)
    out = dead_letter_out(row)
    session.commit()
    return out
