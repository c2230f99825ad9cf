"""Queries of releases, rollouts, their targets and node rings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud.updates.models import NodeRing, Release, Rollout, RolloutTarget

ACTIVE = ("running", "paused", "halted")


def release_by_version(session: Session, version: str) -> Release | None:
    return session.scalars(select(Release).where(Release.version == version)).one_or_none()


def releases(session: Session) -> Sequence[Release]:
    return session.scalars(select(Release).order_by(Release.published_at.desc())).all()


def rollout(session: Session, rollout_id: int) -> Rollout | None:
    return session.get(Rollout, rollout_id)


def rollouts(session: Session, limit: int = 20) -> Sequence[Rollout]:
    return session.scalars(select(Rollout).order_by(Rollout.id.desc()).limit(limit)).all()


def active_rollouts(session: Session) -> Sequence[Rollout]:
    return session.scalars(select(Rollout).where(Rollout.status.in_(ACTIVE))).all()


def release(session: Session, release_id: int) -> Release:
    return session.get_one(Release, release_id)


def targets(session: Session, rollout_id: int) -> Sequence[RolloutTarget]:
    stmt = select(RolloutTarget).where(RolloutTarget.rollout_id == rollout_id)
    return session.scalars(stmt.order_by(RolloutTarget.id)).all()


def target(session: Session, rollout_id: int, device_id: int) -> RolloutTarget | None:
    stmt = select(RolloutTarget).where(
        RolloutTarget.rollout_id == rollout_id, RolloutTarget.device_id == device_id
    )
    return session.scalars(stmt).one_or_none()


def due_targets(
    session: Session, rollout_id: int, resend_before: datetime
) -> Sequence[RolloutTarget]:
    """Pending targets, and sent ones the node has not answered since ``resend_before``."""
    stmt = select(RolloutTarget).where(
        RolloutTarget.rollout_id == rollout_id,
        or_(
            RolloutTarget.status == "pending",
            (RolloutTarget.status == "sent") & (RolloutTarget.updated_at < resend_before),
        ),
    )
    return session.scalars(stmt.order_by(RolloutTarget.id)).all()


def rings(session: Session) -> dict[int, str]:
    rows = session.execute(select(NodeRing.device_id, NodeRing.ring))
    return {device_id: ring for device_id, ring in rows}


def ring_row(session: Session, device_id: int) -> NodeRing | None:
    return session.get(NodeRing, device_id)
