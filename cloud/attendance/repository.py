"""Attendance queries: clocked shifts and the rota."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.attendance.models import RotaShift, Shift


def open_shift(session: Session, username: str) -> Shift | None:
    stmt = select(Shift).where(Shift.username == username, Shift.clock_out_at.is_(None))
    return session.scalars(stmt.with_for_update()).first()


def shifts(session: Session, store_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
    """Shifts that began in [start, end), oldest first."""
    stmt = (
        select(Shift)
        .where(Shift.store_id == store_id, Shift.clock_in_at >= start, Shift.clock_in_at < end)
        .order_by(Shift.clock_in_at, Shift.id)
    )
    return session.scalars(stmt).all()


def clocked_in(session: Session, store_id: int) -> list[str]:
    """Usernames with an open shift at the store, by name."""
    stmt = select(Shift.username).where(Shift.store_id == store_id, Shift.clock_out_at.is_(None))
    return sorted(set(session.scalars(stmt)))


def rota(session: Session, store_id: int, start: datetime, end: datetime) -> Sequence[RotaShift]:
    """Planned shifts starting in [start, end), by start time."""
    stmt = (
        select(RotaShift)
        .where(
            RotaShift.store_id == store_id,
            RotaShift.starts_at >= start,
            RotaShift.starts_at < end,
        )
        .order_by(RotaShift.starts_at, RotaShift.username, RotaShift.id)
    )
    return session.scalars(stmt).all()


def rota_overlapping(
    session: Session, username: str, starts_at: datetime, ends_at: datetime
) -> RotaShift | None:
    """A planned shift of the same person overlapping [starts_at, ends_at), in any store."""
    stmt = select(RotaShift).where(
        RotaShift.username == username,
        RotaShift.starts_at < ends_at,
        RotaShift.ends_at > starts_at,
    )
    return session.scalars(stmt.limit(1)).first()


def rota_shift(session: Session, rota_id: int) -> RotaShift | None:
    return session.get(RotaShift, rota_id)
