"""Marketing queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.marketing.models import Campaign


def campaign_by_code(session: Session, code: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.code == code)).one_or_none()
