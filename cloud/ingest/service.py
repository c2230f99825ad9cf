"""Dead letters: keep every rejected message with its reason; list, replay, discard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.exceptions import InvalidTransitionError, NotFoundError
from cloud.ingest import repository
from cloud.ingest.acks import delivery_key
from cloud.ingest.exceptions import RejectedError
from cloud.ingest.models import DeadLetter
from contracts.strict import payload_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    dead_letter_id: int
    ok: bool
    applied: bool
    reason: str


def record_dead_letter(
    session: Session,
    topic: str,
    payload: bytes,
    reason: str,
    now: datetime,
    *,
    digest: str | None = None,
    whole: bytes | None = None,
    parse: bool = True,
) -> DeadLetter:
    """``digest`` is the SHA-256 of the whole message as received (``payload`` may be cut);
    ``whole`` that message, whose boot and seq are read from it (by a scan if not ``parse``)."""
    row = DeadLetter(
        topic=topic[:300],
        payload=bytes(payload),
        reason=reason,
        status="new",
        received_at=now,
        digest=digest or payload_digest(payload),
    )
    # whose event it was: the ack floor may pass it (SPEC §4)
    key = delivery_key(topic, payload if whole is None else whole, parse=parse)
    if key is not None:
        row.store, row.node, row.boot, row.seq = key.store, key.node, key.boot, key.seq
    session.add(row)
    session.flush()
    return row


def list_dead_letters(
    session: Session, *, status: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[DeadLetter]:
    return repository.dead_letters(session, status=status, limit=limit, offset=offset)


def get_dead_letter(session: Session, dead_letter_id: int) -> DeadLetter:
    row = session.get(DeadLetter, dead_letter_id)
    if row is None:
        raise NotFoundError(f"dead letter {dead_letter_id} not found")
    return row


def replay_dead_letter(
    session: Session,
    dead_letter_id: int,
    now: datetime,
    *,
    payload: bytes | None = None,
    topic: str | None = None,
) -> ReplayResult:
    """Run a dead letter through validation and apply again, in the caller's transaction.

    ``payload``/``topic`` replace the stored ones (a corrected message). A message that is
    still rejected stays a dead letter with the new reason and one more attempt.
    """
    from cloud.ingest.apply import apply_event
    from cloud.ingest.pipeline import accept
    from cloud.ingest.registry import DeviceRegistry

    row = get_dead_letter(session, dead_letter_id)
    if row.status in ("replayed", "discarded"):
        raise InvalidTransitionError(f"dead letter {dead_letter_id} is already {row.status}")
    if payload is not None:
        row.payload = payload
    if topic is not None:
        row.topic = topic
    row.attempts += 1
    try:
        with session.begin_nested():
            item = accept(session, DeviceRegistry(min_refresh_s=0), row.topic, row.payload)
            applied = apply_event(session, item, now)
    except RejectedError as exc:
        row.reason = str(exc)
        row.status = "failed"
        session.flush()
        return ReplayResult(row.id, ok=False, applied=False, reason=str(exc))
    row.status = "replayed"
    row.replayed_at = now
    session.flush()
    reason = "applied" if applied else "already applied (duplicate)"
    log.info("dead letter %d replayed: %s", row.id, reason)
    return ReplayResult(row.id, ok=True, applied=applied, reason=reason)


def discard_dead_letter(session: Session, dead_letter_id: int) -> DeadLetter:
    row = get_dead_letter(session, dead_letter_id)
    row.status = "discarded"
    session.flush()
    return row
