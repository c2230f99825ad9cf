"""``smartstore cloud seed``: demo stores, devices, users, catalog, members, promotions.

Idempotent: every row is looked up by its natural key first, so a second run adds nothing.
Users are created through the API side's cloud.auth.service (imported when needed).
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.migrate import upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.devices import service as devices
from cloud.members import service as members
from cloud.products import service as products
from cloud.products.models import Product, ProductBarcode
from cloud.promotions import service as promotions
from cloud.seed.catalog import ProductSpec, categories, load_catalog, promotion_rules
from cloud.stores import service as stores
from cloud.suppliers import service as suppliers
from cloud.suppliers.models import SupplierItem

log = logging.getLogger(__name__)

STORES = (
    ("demo", "Demo Store", "1 Demo Road, Shanghai"),
    ("north", "North Market", "88 North Street, Shanghai"),
    ("east", "East Mall", "5 East Avenue, Hangzhou"),
)
NODES = (("kiosk-1", "kiosk"), ("kiosk-2", "kiosk"), ("shelf-1", "shelf"))
USERS = (("admin", "admin"), ("manager", "manager"), ("staff", "staff"))
TAXES = (("std", "Standard", "0.13"), ("reduced", "Reduced", "0.09"), ("zero", "Zero", "0"))
HOURS = {d: ["08:00", "22:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    generated_password: str | None = None

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    def summary(self) -> str:
        if not any(self.created.values()):
            return "seed: nothing to add (already seeded)"
        return "seed: created " + ", ".join(f"{n} {k}" for k, n in self.created.items() if n)


def seed_database(url: str, *, password: str | None = None, migrate: bool = True) -> SeedReport:
    if migrate:
        upgrade(url, "head")
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            return seed(session, password=password, now=datetime.now(UTC))
    finally:
        engine.dispose()


def seed(session: Session, *, password: str | None, now: datetime) -> SeedReport:
    report = SeedReport()
    _stores_and_devices(session, report)
    _users(session, report, password, now)
    _catalog(session, report, load_catalog())
    _members(session, report, now)
    _promotions(session, report, now)
    _supplier(session, report, now)
    log.info(report.summary())
    return report


def _stores_and_devices(session: Session, report: SeedReport) -> None:
    for code, name, address in STORES:
        if stores.find_store(session, code) is None:
            stores.create_store(
                session,
                code,
                name,
                address=address,
                contact_phone="+86 21 5555 0100",
                hours=HOURS,
            )
            report.add("stores")
        for node, kind in NODES:
            if devices.find_device(session, code, node) is None:
                devices.register_device(session, code, node, kind)
                report.add("devices")


def _users(session: Session, report: SeedReport, password: str | None, now: datetime) -> None:
    try:
        from cloud.auth import service as auth
        from cloud.auth.models import Role
    except ImportError:  # the API side is not installed; stores and catalog still seed
        log.warning("cloud.auth not available: demo users not created")
        return
    missing = [u for u in USERS if auth.user_by_username(session, u[0]) is None]
    if not missing:
        return
    if password is None:
        password = secrets.token_urlsafe(12)
        report.generated_password = password
    hasher = auth.make_hasher()
    for username, role in missing:
        auth.create_user(
            session,
            username=username,
            password=password,
            role=Role(role),
            store_codes=[] if role == "admin" else ["demo"],
            now=now,
            hasher=hasher,
            full_name=username.title(),
        )
        report.add("users")


def _catalog(session: Session, report: SeedReport, catalog: list[ProductSpec]) -> None:
    for code, name, rate in TAXES:
        products.ensure_tax_class(session, code, Decimal(rate), name)
    for spec in categories():
        if products.find_category(session, spec.code) is None:
            products.ensure_category(session, spec.code, spec.name)
            report.add("categories")
    existing = set(session.scalars(select(Product.sku)))
    category_ids: dict[str, int] = {}
    for spec in categories():
        category = products.find_category(session, spec.code)
        if category is not None:
            category_ids[spec.code] = category.id
    fresh = [p for p in catalog if p.sku not in existing]
    for p in fresh:
        row = Product(
            sku=p.sku,
            name=p.name,
            name_zh=p.name_zh,
            category_id=category_ids[p.category],
            price=p.price,
            member_price=p.member_price,
            cost=p.cost,
            tax_class=p.tax_class,
            weighed=p.weighed,
            unit_weight_g=p.unit_weight_g,
            weight_tolerance_g=p.weight_tolerance_g,
            min_age=p.min_age,
            plu=p.plu,
            image_path=f"products/{p.sku.lower()}.png",
            updated_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        if p.gtin:
            session.add(ProductBarcode(product_id=row.id, gtin=p.gtin))
    session.flush()
    report.add("products", len(fresh))


def _members(session: Session, report: SeedReport, now: datetime) -> None:
    rng = random.Random(7)
    for i in range(1, 51):
        phone = f"1380000{i:04d}"
        if members.by_phone(session, phone) is not None:
            continue
        members.create_member(
            session,
            phone=phone,
            card=f"M-{i:06d}",
            name=f"Member {i}",
            birthday=date(1960 + rng.randrange(45), rng.randrange(1, 13), rng.randrange(1, 29)),
        )
        report.add("members")


def _promotions(session: Session, report: SeedReport, now: datetime) -> None:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    window = {"starts_at": start.isoformat()}
    rules: list[dict[str, Any]] = []
    for written in promotion_rules():
        rule = {k: v for k, v in written.items() if k not in ("days", "hours", "name_zh")}
        if "days" in written:
            rule["window"] = window | {
                "ends_at": (start + timedelta(days=written["days"])).isoformat()
            }
        if "hours" in written:
            rule["window"] = {"hours": written["hours"]}
        rules.append(rule)
    for rule in rules:
        if promotions.find_promotion(session, rule["id"]) is None:
            promotions.create_promotion(session, rule)
            report.add("promotions")


SUPPLIER = ("WHOLESALE", "Demo Wholesale 批发")
PACK = 6


def _supplier(session: Session, report: SeedReport, now: datetime) -> None:
    """One wholesaler selling every product at its catalog cost in packs of six, so the demo
    orders from the reorder suggestions and books its deliveries through purchase orders."""
    code, name = SUPPLIER
    if suppliers.find(session, code) is not None:
        return
    row = suppliers.create(
        session,
        code,
        {
            "name": name,
            "lead_time_days": 1,
            "payment_terms_days": 30,
            "email": "orders@wholesale.example",
        },
        now,
    )
    rows = session.execute(select(Product.id, Product.sku, Product.cost, Product.price)).all()
    session.add_all(
        SupplierItem(
            supplier_id=row.id,
            product_id=pid,
            supplier_sku=f"W-{sku}",
            unit_cost=cost
            if cost is not None
            else (price * Decimal("0.65")).quantize(Decimal("0.01")),
            pack_size=PACK,
        )
        for pid, sku, cost, price in rows
    )
    session.flush()
    report.add("suppliers")
