"""Invoices for the console's list: a store scope's invoices in a period, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.invoices import repository
from cloud.invoices.models import Invoice


def recent(
    session: Session, store_ids: Sequence[int], start: datetime, end: datetime, limit: int = 500
) -> list[Invoice]:
    return list(reversed(repository.in_period(session, list(store_ids), start, end)))[:limit]
