"""Rows the API reads but only ingest writes (alerts, sales), built through the data services."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.sales.models import Sale
from cloud.stores.models import Store


def store_id(session: Session, code: str) -> int:
    return session.scalars(select(Store.id).where(Store.code == code)).one()


def open_alert(session: Session, store: str, source: str, now: datetime) -> int:
    alert, _ = alerts.open_alert(
        session, store_id=store_id(session, store), source=source, alert_type="out_of_stock",
        now=now, message="out of milk",
    )  # fmt: skip
    return alert.id


def add_sale(session: Session, store: str, sale_id: str, at: datetime, total: str) -> None:
    amount = Decimal(total)
    session.add(
        Sale(
            sale_id=sale_id, store_id=store_id(session, store), node="kiosk-1",
            event_id=f"00000000-0000-0000-0000-{abs(hash(sale_id)) % 10**12:012d}",
            completed_at=at, currency="CNY", subtotal=amount, discount_total=Decimal(0),
            tax_total=Decimal("0.10"), total=amount, change=Decimal(0), received_at=at,
        )
    )  # fmt: skip
