"""The data the access matrix runs against: the API tests' seed (store-a, store-b, one user
per role) plus rows in both stores, and factories for rows a request uses up (an alert that is
acknowledged, a promotion that is deleted, a sale that is returned …).

Rows the API cannot create (sales, alerts, dead letters, reset tokens) are made the way the
rest of the suite makes them: sales through the real ingest pipeline, the others through
their services or as plain rows.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.attendance import service as attendance
from cloud.auth import repository as repo
from cloud.auth.models import PasswordResetToken, Role, TokenKind
from cloud.auth.service import (
    create_user,
    hash_token,
    issue_token,
    make_hasher,
    principal_for_token,
)
from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.feedback import service as feedback
from cloud.ingest.models import DeadLetter
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.inventory import service as inventory
from cloud.invoices import service as invoices
from cloud.marketing.models import Campaign
from cloud.members import service as members
from cloud.notices import service as notices
from cloud.orders import service as orders
from cloud.pricebook.builder import build_pricebook
from cloud.products import service as products
from cloud.products import store_prices
from cloud.products.gtin import check_digit
from cloud.products.repository import by_sku
from cloud.promotions import service as promotions
from cloud.sales.models import Sale
from cloud.stores.models import Store
from cloud.tasks import service as tasks
from tests.cloud.api.conftest import PASSWORD, USERS, Api
from tests.cloud.api.helpers import open_alert, store_id
from tests.cloud.factories import envelope, message
from tests.cloud.members.helpers import member_sale

OWN, FOREIGN = "store-a", "store-b"
USER_OF = {
    "admin": "admin",
    "hq": "hq",
    "manager": "manager_a",
    "staff": "staff_a",
    "cashier": "cashier_a",
}
"""The user each role signs in as; the store roles belong to store-a only."""


@dataclass
class World:
    api: Api
    tokens: dict[str, str] = field(default_factory=dict)
    member_id: int = 0
    seq: dict[str, itertools.count[int]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # Set up ----------------------------------------------------------------------------

    def build(self) -> World:
        assert set(USER_OF.values()) <= set(USERS)
        with transaction(self.api.sessions) as s:
            for code in (OWN, FOREIGN):
                devices.register_device(s, code, "kiosk-1", "kiosk")
                self.seq[code] = itertools.count(1)
            member = members.create_member(s, phone="13800000001", card="MC-0001", name="Li")
            self.member_id = member.id
            for role, username in USER_OF.items():
                self.tokens[role] = self._token(s, username)
        return self

    def session_cookie(self, role: str) -> str:
        """A console session of the role's user (what the login form gives)."""
        with transaction(self.api.sessions) as s:
            return self._token(s, USER_OF[role], TokenKind.SESSION)

    def _token(self, s: Session, username: str, kind: TokenKind = TokenKind.BEARER) -> str:
        user = repo.user_by_username(s, username)
        assert user is not None
        raw, _ = issue_token(s, user, kind, now=self.api.clock(), ttl=timedelta(days=1))
        return raw

    def n(self) -> int:
        return next(self.counter)

    def fresh_user(self, role: str) -> tuple[str, str]:
        """A new user of ``role`` (store roles in store-a) and a bearer token of its own."""
        name = f"tmp{self.n()}"
        with transaction(self.api.sessions) as s:
            create_user(
                s,
                username=name,
                password=PASSWORD,
                role=Role(role),
                store_codes=[] if Role(role).chain_wide else [OWN],
                now=self.api.clock(),
                hasher=make_hasher(fast=True),
                email=f"{name}@example.com",
            )
            return name, self._token(s, name)

    # Rows a request uses up --------------------------------------------------------------

    def sale(self, store: str, *, member: bool = True) -> str:
        """A fresh five-line sale of ``store``, through the ingest pipeline."""
        sale_id = f"S-{store}-{self.n()}"
        data = member_sale(sale_id, member={"phone": "13800000001"} if member else None)
        env = envelope("sale", data, seq=next(self.seq[store]), store=store)
        pipe = Pipeline(self.api.sessions, clock=self.api.clock)
        pipe.process([Inbound(*message(env))])
        assert pipe.applied == 1, sale_id
        return sale_id

    def sale_total(self, sale_id: str) -> str:
        with self.api.sessions() as s:
            total = s.scalars(select(Sale.total).where(Sale.sale_id == sale_id)).one()
        return f"{total:.2f}"

    def invoice(self, store: str) -> str:
        sale_id = self.sale(store)
        with transaction(self.api.sessions) as s:
            inv = invoices.request_invoice(
                s, sale_id=sale_id, buyer_name="Buyer", now=self.api.clock()
            )
            return inv.invoice_no

    def alert(self, store: str) -> int:
        with transaction(self.api.sessions) as s:
            return open_alert(s, store, f"shelf-1/lane-{self.n()}", self.api.clock())

    def task(self, store: str) -> int:
        with transaction(self.api.sessions) as s:
            row = tasks.create(
                s, store_id=store_id(s, store), kind="custom", title=f"Task {self.n()}",
                now=self.api.clock(), by="manager_a",
            )  # fmt: skip
            return row.id

    def feedback(self, store: str) -> int:
        with transaction(self.api.sessions) as s:
            row = feedback.submit(
                s, message=f"Feedback {self.n()}", rating=4, store_id=store_id(s, store),
                now=self.api.clock(),
            )  # fmt: skip
            return row.id

    def rota(self, store: str) -> int:
        """A planned shift of store's staff member, a day apart from every other one."""
        start = self.api.clock() + timedelta(days=self.n())
        with transaction(self.api.sessions) as s:
            row = attendance.plan(
                s, store_id=store_id(s, store), username=f"staff_{store[-1]}",
                starts_at=start, ends_at=start + timedelta(hours=8), by="admin",
                now=self.api.clock(),
            )  # fmt: skip
            return row.id

    def rota_body(self, store: str) -> dict[str, str]:
        start = self.api.clock() + timedelta(days=self.n() + 400)
        end = start + timedelta(hours=8)
        return {
            "store": store, "username": f"staff_{store[-1]}",
            "starts_at": start.isoformat(), "ends_at": end.isoformat(),
        }  # fmt: skip

    def promotion(self, store: str) -> str:
        code = f"p{self.n()}"
        rule = {"kind": "percent_off", "id": code, "name": "Ten off", "percent": "10"}
        with transaction(self.api.sessions) as s:
            promotions.create_promotion(s, rule, store_id=store_id(s, store))
        return code

    def notice(self, store: str) -> int:
        with transaction(self.api.sessions) as s:
            author = principal_for_token(s, self.tokens["admin"], now=self.api.clock())
            row = notices.post(
                s,
                author,
                store_id=store_id(s, store),
                title="Fire drill",
                body="",
                level="info",
                now=self.api.clock(),
            )
            return row.id

    def store_price(self, store: str) -> str:
        with transaction(self.api.sessions) as s:
            st = s.get(Store, store_id(s, store))
            product = by_sku(s, "MILK-1")
            assert st is not None
            assert product is not None
            store_prices.set_store_price(
                s,
                st,
                product,
                price=Decimal("11.00"),
                member_price=None,
                available=True,
                now=self.api.clock(),
                by="admin",
            )
        return "MILK-1"

    def on_shift(self, store: str | None) -> str:
        """Every role's user off shift (``None``) or on an open shift at ``store``, so a
        clock-in or clock-out by any role is allowed by state and only the role decides."""
        with transaction(self.api.sessions) as s:
            for username in USER_OF.values():
                shift = attendance.open_shift(s, username)
                if shift is not None:
                    attendance.clock_out(s, shift.store_id, username, self.api.clock())
                if store is not None:
                    attendance.clock_in(s, store_id(s, store), username, self.api.clock())
        return store or ""

    def stocked(self, store: str, sku: str) -> str:
        """``sku`` with a unit on hand in ``store``: a transfer may not ship what is not there."""
        with transaction(self.api.sessions) as s:
            product = by_sku(s, sku)
            assert product is not None
            inventory.move(
                s,
                store_id=store_id(s, store),
                product_id=product.id,
                kind="receiving",
                qty=Decimal(1),
                now=self.api.clock(),
            )
        return sku

    def order(self, store: str, status: str = "placed") -> tuple[str, str]:
        """(order id, pickup code) of a new one-unit order of ``store``, moved to ``status``
        with no picker (so any caller of the store may scan or collect it)."""
        sku = self.stocked(store, "MILK-1")
        with transaction(self.api.sessions) as s:
            row = s.get(Store, store_id(s, store))
            assert row is not None
            new = orders.NewOrder("web", "pickup", {"name": "Li"}, [(sku, Decimal(1))])
            book = build_pricebook(s, row, 1, self.api.clock())
            order = orders.place(s, row, new, book=book, by="admin", now=self.api.clock())
            order.status = status
            return order.order_id, order.pickup_code

    def product(self, *, gtin: bool = False) -> tuple[str, str]:
        sku = f"T-{self.n()}"
        code = gtin_for(self.n()) if gtin else ""
        with transaction(self.api.sessions) as s:
            products.create_product(
                s, sku=sku, name="Tea", price=Decimal("3.00"), gtins=[code] if code else []
            )
        return sku, code

    def member(self) -> int:
        with transaction(self.api.sessions) as s:
            return members.create_member(s, phone=f"139{self.n():08d}", name="Zhang").id

    def campaign(self) -> str:
        code = f"C{self.n()}"
        with transaction(self.api.sessions) as s:
            s.add(
                Campaign(
                    code=code,
                    name="Spring",
                    coupon_prefix="SP",
                    coupon_value=Decimal(5),
                    valid_days=7,
                    max_coupons=10,
                    created_at=self.api.clock(),
                )
            )
        return code

    def dead_letter(self) -> int:
        with transaction(self.api.sessions) as s:
            row = DeadLetter(
                topic="smartstore/v1/store-a/kiosk-9/evt/sale",
                payload=b"{not json",
                reason="malformed JSON",
                status="new",
                attempts=0,
                received_at=self.api.clock(),
            )
            s.add(row)
            s.flush()
            return row.id

    def reset_token(self) -> str:
        name, _ = self.fresh_user("staff")
        raw = secrets.token_urlsafe(32)
        with transaction(self.api.sessions) as s:
            user = repo.user_by_username(s, name)
            assert user is not None
            s.add(
                PasswordResetToken(
                    token_hash=hash_token(raw),
                    user_id=user.id,
                    created_at=self.api.clock(),
                    expires_at=self.api.clock() + timedelta(minutes=30),
                )
            )
        return raw

    def user_id(self) -> int:
        name, _ = self.fresh_user("staff")
        with self.api.sessions() as s:
            user = repo.user_by_username(s, name)
            assert user is not None
            return user.id


def gtin_for(n: int) -> str:
    """A valid GTIN-13 of the in-store range, unique per ``n``."""
    body = f"2{n:011d}"
    return body + check_digit(body)
