"""Sale events for the member programme's tests, through the real ingest pipeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest.pipeline import Inbound, Pipeline
from tests.cloud.factories import T0, envelope, message, sale_data, setup_store

PHONE = "13800000001"


def seed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        setup_store(s)


def pipeline(factory: sessionmaker[Session]) -> Pipeline:
    return Pipeline(factory, clock=lambda: T0 + timedelta(seconds=5))


def member_sale(
    sale_id: str,
    *,
    points: int = 0,
    coupon: str | None = None,
    n_lines: int = 5,
    member: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A balanced sale of ``n_lines`` for the seeded member; ``points`` are tendered at 0.01
    each and ``coupon`` takes 5.00 off the basket (as the kiosk writes it)."""
    data = sale_data(sale_id, member=member or {"phone": PHONE}, n_lines=n_lines)
    total = Decimal(data["total"])
    tenders: list[dict[str, str]] = []
    if coupon is not None:
        data["lines"][1]["discounts"] = [{"promotion": coupon, "amount": "5.00"}]
        data["discount_total"] = str(Decimal(data["discount_total"]) + 5)
        total -= 5
        data["coupons"] = [coupon]
    if points:
        value = Decimal(points) / 100
        tenders.append({"method": "points", "amount": str(value), "reference": str(points)})
        data["points_redeemed"] = points
        total_cash = total - value
    else:
        total_cash = total
    tenders.append({"method": "cash", "amount": str(total_cash + 5), "reference": ""})
    data["tenders"] = tenders
    data["total"] = str(total)
    data["tax_total"] = str((total * Decimal("0.13") / Decimal("1.13")).quantize(Decimal("0.01")))
    return data


def deliver(
    pipe: Pipeline, data: dict[str, Any], seq: int, node: str = "kiosk-1", copies: int = 1
) -> None:
    topic, raw = message(envelope("sale", data, seq=seq, node=node))
    pipe.process([Inbound(topic, raw)] * copies)


def deliver_event(
    pipe: Pipeline, event_type: str, data: dict[str, Any], seq: int, node: str = "kiosk-1"
) -> None:
    topic, raw = message(envelope(event_type, data, seq=seq, node=node))
    pipe.process([Inbound(topic, raw)])
