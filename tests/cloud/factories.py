"""Test data builders: a store with devices, products, members, and valid events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.devices import service as devices
from cloud.members import service as members
from cloud.products import service as products
from cloud.stores import service as stores
from contracts.codec import encode, make_envelope
from contracts.messages import Envelope
from contracts.topics import event_topic

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
GTINS = [
    "06901234567892",
    "06920000000012",
    "06920000000029",
    "06920000000036",
    "06920000000043",
]


def setup_store(session: Session, code: str = "demo") -> None:
    """Store, three devices, five products with costs, one member (phone and card)."""
    stores.create_store(session, code, f"Store {code}")
    for node, kind in (("kiosk-1", "kiosk"), ("kiosk-2", "kiosk"), ("shelf-1", "shelf")):
        devices.register_device(session, code, node, kind)
    if not _has_products(session):
        products.ensure_tax_class(session, "std", Decimal("0.13"), "Standard")
        for i, gtin in enumerate(GTINS):
            products.create_product(
                session,
                sku=f"SKU-{i}",
                name=f"Item {i}",
                price=Decimal("10.00") + i,
                cost=Decimal("6.00") + i,
                gtins=[gtin],
            )
        members.create_member(session, phone="13800000001", card="CARD-0001", name="Li")


def _has_products(session: Session) -> bool:
    from cloud.products.repository import by_sku

    return by_sku(session, "SKU-0") is not None


def sale_data(
    sale_id: str = "S-1", member: dict[str, str] | None = None, n_lines: int = 5
) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for i in range(n_lines):
        price = Decimal("10.00") + i
        lines.append(
            {
                "gtin": GTINS[i % len(GTINS)],
                "name": f"Item {i}",
                "qty": "2",
                "unit_price": str(price),
                "amount": str(price * 2),
                "discounts": [{"promotion": "P1", "amount": "1.00"}] if i == 0 else [],
            }
        )
    subtotal = sum(Decimal(ln["amount"]) for ln in lines)
    total = subtotal - Decimal("1.00")
    return {
        "sale_id": sale_id,
        "completed_at": "2026-03-02T09:30:00Z",
        "currency": "CNY",
        "member": member,
        "lines": lines,
        "subtotal": str(subtotal),
        "discount_total": "1.00",
        "tax_total": str((total * Decimal("0.13") / Decimal("1.13")).quantize(Decimal("0.01"))),
        "total": str(total),
        "tenders": [{"method": "cash", "amount": str(total + 5), "reference": ""}],
        "change": "5.00",
    }


def envelope(
    event_type: str,
    data: dict[str, Any],
    *,
    seq: int,
    store: str = "demo",
    node: str = "kiosk-1",
    boot: int = 1,
    ts: datetime = T0,
    event_id: uuid.UUID | None = None,
) -> Envelope:
    """``event_id`` defaults to one derived from (store, node, seq), as a redelivery keeps it."""
    return make_envelope(
        store=store,
        node=node,
        boot=boot,
        seq=seq,
        event_type=event_type,
        data=data,
        ts=ts,
        event_id=event_id or uuid.uuid5(uuid.NAMESPACE_URL, f"{store}/{node}/{seq}"),
    )


def message(env: Envelope) -> tuple[str, bytes]:
    return event_topic(env.store, env.node, env.type), encode(env)
