"""Generated, internally consistent sales fed through the real ingest pipeline."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from cloud.devices import service as devices
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.inventory import service as inventory
from cloud.products import service as products
from cloud.products.repository import by_barcode
from cloud.stores.repository import by_code
from tests.cloud.factories import GTINS, T0, envelope, message, sale_data

CENT = Decimal("0.01")
PRICES = [Decimal("10.00") + i for i in range(len(GTINS))]  # as tests.cloud.factories
_seq = itertools.count(1)


def cents(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class GenLine:
    product: int
    qty: int
    discount: Decimal


@dataclass
class GenSale:
    lines: list[GenLine]
    basket_discount_pct: int
    card_share_pct: int
    cash_extra: Decimal
    minutes: int
    sale_id: str = field(default="")

    def payload(self) -> dict[str, Any]:
        lines = []
        for ln in self.lines:
            amount = PRICES[ln.product] * ln.qty
            disc = min(ln.discount, amount)
            lines.append(
                {
                    "gtin": GTINS[ln.product],
                    "name": f"Item {ln.product}",
                    "qty": str(ln.qty),
                    "unit_price": str(PRICES[ln.product]),
                    "amount": str(amount),
                    "discounts": [{"promotion": "P1", "amount": str(disc)}] if disc else [],
                }
            )
        subtotal = sum((Decimal(x["amount"]) for x in lines), Decimal(0))
        line_disc = sum((Decimal(d["amount"]) for x in lines for d in x["discounts"]), Decimal(0))
        basket = cents((subtotal - line_disc) * self.basket_discount_pct / 100)
        discount_total = line_disc + basket
        total = subtotal - discount_total
        tax = cents(total * Decimal("0.13") / Decimal("1.13"))
        card = cents(total * self.card_share_pct / 100)
        cash = total - card
        tenders = []
        change = Decimal("0.00")
        if card:
            tenders.append({"method": "card", "amount": str(card), "reference": "c"})
        if cash or not tenders:
            tenders.append({"method": "cash", "amount": str(cash + self.cash_extra)})
            change = self.cash_extra
        return {
            "sale_id": self.sale_id,
            "completed_at": (T0 + timedelta(minutes=self.minutes)).isoformat(),
            "currency": "CNY",
            "member": None,
            "lines": lines,
            "subtotal": str(subtotal),
            "discount_total": str(discount_total),
            "tax_total": str(tax),
            "total": str(total),
            "tenders": tenders,
            "change": str(change),
        }


lines_st = st.builds(
    GenLine,
    product=st.integers(0, len(GTINS) - 1),
    qty=st.integers(1, 6),
    discount=st.decimals(0, 5, places=2, allow_nan=False, allow_infinity=False),
)
sales_st = st.lists(
    st.builds(
        GenSale,
        lines=st.lists(lines_st, min_size=1, max_size=4),
        basket_discount_pct=st.sampled_from([0, 0, 5, 10]),
        card_share_pct=st.sampled_from([0, 30, 100]),
        cash_extra=st.sampled_from([Decimal("0.00"), Decimal("0.50"), Decimal("20.00")]),
        minutes=st.integers(0, 60 * 24 * 20),
    ),
    min_size=1,
    max_size=10,
)


def ingest(
    factory: sessionmaker[Session],
    store: str,
    payloads: list[dict[str, Any]],
    node: str = "kiosk-1",
    event_type: str = "sale",
    at: datetime = T0,
) -> None:
    # The cloud receives them after the last sale (ingest refuses times in its future).
    keys = ("completed_at", "closed_at")
    done = [_when(p[k]) for p in payloads for k in keys if k in p]
    received = max([at, *done])
    pipe = Pipeline(factory, clock=lambda: received)
    batch = [
        Inbound(*message(envelope(event_type, p, seq=next(_seq), store=store, node=node, ts=at)))
        for p in payloads
    ]
    pipe.process(batch)
    assert pipe.dead_lettered == 0


def _when(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def product_ids(session: Session) -> list[int]:
    from cloud.products.repository import by_sku

    out = []
    for i in range(len(GTINS)):
        p = by_sku(session, f"SKU-{i}")
        assert p is not None
        out.append(p.id)
    return out


def seed_api_store(api: Any, n: int = 12) -> list[dict[str, Any]]:
    """store-a of the API fixtures: a kiosk, five products received at cost, ``n`` sales."""
    with api.sessions() as s, s.begin():
        devices.register_device(s, "store-a", "kiosk-1", "kiosk")
        store = by_code(s, "store-a")
        assert store is not None
        for i, gtin in enumerate(GTINS):
            if i == 0:  # the API seed's MILK-1 already carries this barcode
                pid = by_barcode(s, gtin)
                assert pid is not None
                product_id = pid.id
            else:
                product_id = products.create_product(
                    s,
                    sku=f"SKU-{i}",
                    name=f"Item {i}",
                    price=Decimal("10.00") + i,
                    cost=Decimal("6.00") + i,
                    gtins=[gtin],
                    category="dairy",
                ).id
            inventory.move(
                s,
                store_id=store.id,
                product_id=product_id,
                kind="receiving",
                qty=Decimal(100),
                unit_cost=Decimal("5.00") + i,
                now=T0 - timedelta(days=1),
            )
    sales = []
    for i in range(n):
        p = sale_data(f"API-{i}", n_lines=1 + i % 5)
        p["completed_at"] = (T0 + timedelta(hours=5 * i)).isoformat()
        sales.append(p)
    ingest(api.sessions, "store-a", sales)
    return sales
