"""A real cloud (uvicorn, seeded SQLite) with a cashier service user, a gold member, coupon
campaigns and the store's price book as the cloud builds it; and a kiosk node wired to it.

Shared by the kiosk member, coupon, return and invoice tests and the return browser test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from cloud.auth.models import Role
from cloud.auth.service import create_user, make_hasher
from cloud.db.session import transaction
from cloud.marketing.models import Campaign
from cloud.members import coupons
from cloud.members import service as members
from cloud.pricebook.builder import build_pricebook
from cloud.stores.models import Store
from contracts.pricebook import PriceBook, Product, encode_pricebook
from edge.runtime import Runtime
from kiosk.config import KioskConfig
from kiosk.service import KioskNode, build_node
from kiosk.shell.devices import Devices
from tests.cloud.web.server import ConsoleServer, console_server
from tests.kiosk.node import kiosk_config, wait_for

CASHIER = "kiosk-demo-1"
CASHIER_PASSWORD = "kiosk-secret-1"
PHONE = "13912345678"
BALANCE = 800


@dataclass
class Stack:
    cloud: ConsoleServer
    book: PriceBook
    products: list[Product]
    coupon: str
    """A valid code of the active campaign SPRING (prefix SPR, 5.00 off)."""
    expired_in_active: str
    """A SPRING code whose own validity ended: only the cloud knows it is expired."""
    expired_campaign: str
    """A code of the ended campaign OLD: the book's window for OLD is closed."""

    def sessions(self) -> Any:
        return self.cloud.sessions


def _campaign(session: Any, code: str, prefix: str, active: bool, now: datetime) -> Campaign:
    row = Campaign(
        code=code,
        name=f"{code} campaign",
        kind="manual",
        segment={},
        coupon_prefix=prefix,
        coupon_kind="amount_off",
        coupon_value=Decimal("5.00"),
        min_spend=Decimal(0),
        valid_days=30,
        per_member_limit=5,
        active=active,
        created_at=now - timedelta(days=60),
    )
    session.add(row)
    session.flush()
    return row


def _code(session: Any, c: Campaign, start: datetime, end: datetime, now: datetime) -> str:
    issued = coupons.issue(
        session,
        prefix=c.coupon_prefix,
        kind=c.coupon_kind,
        value=c.coupon_value,
        now=now,
        campaign_id=c.id,
        rule_id=c.code,
        valid_from=start,
        expires_at=end,
    )
    assert issued is not None
    return issued.code


def sellable(book: PriceBook, n: int = 5) -> list[Product]:
    """Plain unit items (no weighing, no age check, no promotion noise needed)."""
    out = [
        p
        for p in book.products
        if p.gtins and not p.weighed and p.min_age is None and p.price >= 2 and p.active
    ]
    return out[:n]


@contextmanager
def cloud_stack(tmp: Path) -> Iterator[Stack]:
    now = datetime.now(UTC)
    with console_server(tmp) as cloud:
        with transaction(cloud.sessions) as s:
            create_user(
                s,
                username=CASHIER,
                password=CASHIER_PASSWORD,
                role=Role.CASHIER,
                store_codes=["demo"],
                now=now,
                hasher=make_hasher(fast=True),
            )
            m = members.create_member(s, phone=PHONE, name="Gold Member")
            members.adjust_points(s, m.id, BALANCE, kind="adjust", reason="welcome", now=now)
            m.tier = "gold"
            spring = _campaign(s, "SPRING", "SPR", True, now)
            old = _campaign(s, "OLD", "OLD", False, now)
            good = _code(s, spring, now - timedelta(days=1), now + timedelta(days=29), now)
            lapsed = _code(s, spring, now - timedelta(days=40), now - timedelta(days=10), now)
            ended = _code(s, old, now - timedelta(days=35), now - timedelta(days=5), now)
            store = s.scalars(select(Store).where(Store.code == "demo")).one()
            book = build_pricebook(s, store, 1, now)
        yield Stack(cloud, book, sellable(book), good, lapsed, ended)


def node_config(
    tmp: Path, stack: Stack, *, api_url: str | None = None, mqtt_url: str = "mqtt://127.0.0.1:1"
) -> KioskConfig:
    """Kiosk config with the cloud's book as seed; ``api_url`` None means the real cloud."""
    (tmp / "book.sspb").write_bytes(encode_pricebook(stack.book))
    return kiosk_config(
        tmp,
        mqtt_url,
        scale={"type": "none"},
        cloud_api={
            "type": "http",
            "url": api_url or f"{stack.cloud.url}/api/v1",
            "username": CASHIER,
            "password": CASHIER_PASSWORD,
            "timeout_s": 10.0,  # a loaded CI machine; the timeout path has its own test
        },
    )


class Kiosk:
    """A running node and an HTTP client on its screen API."""

    def __init__(self, config: KioskConfig, devices: Devices | None = None) -> None:
        self.node: KioskNode = build_node(config, devices)
        self.runtime = Runtime(self.node.services)
        self.runtime.start_all()
        assert self.node.ui is not None
        self.http = httpx.Client(base_url=self.node.ui.url, timeout=15)

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = self.http.get("/api/state").json()
        return data

    def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        r = self.http.post(f"/api/{path}", json=body or {})
        assert r.status_code == status, r.text
        return r.json()

    def pay_card(self, cash_first: str | None = None) -> dict[str, Any]:
        """Pay by card (after ``cash_first`` in cash, for a split tender)."""
        self.post("pay", {"method": "cash"})
        if cash_first is not None:
            self.post("cash", {"value": cash_first})
        self.post("pay", {"method": "card"})
        return wait_for(lambda: self.state()["sale"], what="sale")  # type: ignore[no-any-return]

    def close(self) -> None:
        self.http.close()
        self.runtime.stop_all()


@contextmanager
def kiosk(config: KioskConfig, devices: Devices | None = None) -> Iterator[Kiosk]:
    k = Kiosk(config, devices)
    try:
        yield k
    finally:
        k.close()
