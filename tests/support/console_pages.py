"""Every console page, per role, over the demo seed plus a day of activity; and the check that
a page rendered in Chinese carries no English outside an allow-list.

Shared by the zh-Hans render test (TestClient) and the axe-core browser test (Playwright), so
"every page" means the same list in both; a page added to the navigation belongs here too.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.api.reports import ReportName
from cloud.attendance import service as attendance
from cloud.auth.models import Role, User
from cloud.feedback.models import Feedback
from cloud.feedback.service import submit as add_feedback
from cloud.inventory import service as inventory
from cloud.invoices.models import Invoice
from cloud.invoices.service import request_invoice
from cloud.members.models import Member
from cloud.orders import service as orders
from cloud.pricebook.builder import build_pricebook
from cloud.products.models import Product, ProductBarcode
from cloud.promotions.models import Promotion
from cloud.purchasing.service import orders as purchase_orders
from cloud.sales.models import SaleLine
from cloud.sales.service import SaleRecord, record_sales
from cloud.stores.models import Store
from cloud.suppliers import service as suppliers
from cloud.suppliers.models import Supplier
from cloud.tasks import service as tasks
from cloud.tasks.models import Task
from cloud.updates import service as updates
from cloud.updates.models import RolloutTarget
from contracts.messages import SaleData, StockData
from tests.cloud.factories import sale_data

STORE = "demo"

# Pages each role may open, as reached from the navigation (and one level below it).
COMMON = [
    "/console/s/demo/alerts",
    "/console/s/demo/alerts?show=all",
    "/console/s/demo/shelves",
    "/console/s/demo/shelves/shelf-1/a3",
    "/console/crm",
    "/console/crm/returns",
    "/console/s/demo/orders",
    "/console/s/demo/orders/{order}",
    "/console/s/demo/tasks",
    "/console/s/demo/tasks?show=all",
    "/console/s/demo/attendance",
]
MANAGER = [
    "/console/s/demo",
    "/console/head-office",
    "/console/products",
    "/console/products/{sku}",
    "/console/s/demo/prices",
    "/console/promotions",
    "/console/coupon-limits",
    "/console/stores",
    "/console/stores/demo",
    "/console/s/demo/inventory",
    "/console/s/demo/inventory/receive",
    "/console/s/demo/inventory/stocktake",
    "/console/s/demo/inventory/transfer",
    "/console/s/demo/inventory/movements",
    "/console/s/demo/inventory/reconcile",
    "/console/s/demo/purchase-orders",
    "/console/s/demo/purchase-orders/new",
    "/console/s/demo/purchase-orders/{po}",
    "/console/s/demo/receive",
    "/console/s/demo/receive?po={po}",
    "/console/suppliers",
    "/console/reports",
    *(f"/console/reports?report={r.value}" for r in ReportName),
    "/console/reports/pnl",
    "/console/reports/settlement",
    "/console/reports/reorder",
    "/console/notices",
    "/console/invoices",
    "/console/feedback",
    "/console/feedback?show=all",
    "/console/users",
    "/console/audit",
    "/console/crm/members/{member}",
]
ADMIN = [
    *MANAGER,
    "/console/fleet",
    "/console/updates",
    "/console/products/new",
    "/console/products-import",
    "/console/promotions/new",
    "/console/promotions/{promo}",
    "/console/users/new",
    "/console/users/{user}",
]
STAFF = [
    "/console/s/demo/inventory",
    "/console/s/demo/inventory/stocktake",
    "/console/s/demo/purchase-orders/new",
    "/console/s/demo/purchase-orders/{po}",
    "/console/s/demo/receive?po={po}",
]
PAGES: dict[str, list[str]] = {
    "admin": COMMON + ADMIN,
    "manager": COMMON + MANAGER,
    "staff": COMMON + STAFF,
}
ANONYMOUS = ["/console/login", "/console/forgot", "/console/offline"]

# Words a Chinese page may keep: the brand, codes and units people read as such.
ALLOWED = {
    "smartstore", "sku", "gtin", "plu", "csv", "pdf", "qr", "id", "url", "mqtt", "sse",
    "kg", "ml", "pcs", "cny", "rmb", "utc", "gmt", "cst", "rfm", "pos", "vip", "api",
    "ean", "upc", "ip", "ok", "english", "webp",
}  # fmt: skip
TOKEN = re.compile(r"[A-Za-z0-9_.'’/@:+-]+")
WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


def add_activity(session: Session, now: datetime) -> dict[str, str]:
    """Lanes in every state, alerts of each kind (lane, fault, intervention, negative
    stock), so the pages show their full layout; returns the ids the page paths need."""
    store = session.scalars(select(Store).where(Store.code == STORE)).one()
    rows = session.execute(
        select(Product.sku, ProductBarcode.gtin)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .order_by(Product.sku)
        .limit(4)
    ).all()
    for i, ((sku, gtin), state) in enumerate(zip(rows, ("ok", "low", "out", "ok"), strict=True)):
        count = {"ok": 12, "low": 2, "out": 0}[state]
        inventory.apply_stock(
            session,
            store_id=store.id,
            node="shelf-1",
            data=StockData(lane=f"a{i + 1}", sku=sku, gtin=gtin, count=count,
                           grams=Decimal(count * 250), state=state),
            now=now - timedelta(minutes=30 - i),
        )  # fmt: skip
    alerts.open_alert(
        session,
        store_id=store.id,
        source="kiosk-1/scale",
        alert_type="device_fault",
        now=now - timedelta(minutes=5),
        severity="major",
        message="E42: scale drift",
        details={"code": "E42", "component": "scale"},
    )
    alerts.open_alert(
        session,
        store_id=store.id,
        source="kiosk-1",
        alert_type="kiosk_intervention",
        now=now - timedelta(minutes=4),
        severity="major",
        message="age_restricted: beer",
        details={"intervention_id": "iv-1", "kind": "age_restricted"},
    )
    first = session.scalars(select(Product.id).where(Product.sku == rows[0][0])).one()
    inventory.flag_negative(session, store.id, first, Decimal(-2), now - timedelta(minutes=3))
    _sales(session, store.id, now)
    _rollout(session, now)
    po = _purchase_order(session, store, first, now)
    _staff_work(session, store.id, now)
    session.flush()
    return {
        "po": po,
        "order": _order(session, store, first, rows[0][0], now),
        "sku": rows[0][0],
        "promo": session.scalars(select(Promotion.code).limit(1)).one(),
        "user": str(session.scalars(select(User.id).where(User.username == "staff")).one()),
        "member": str(session.scalars(select(Member.id).order_by(Member.id).limit(1)).one()),
    }


def _order(session: Session, store: Store, product_id: int, sku: str, now: datetime) -> str:
    """An online order of two units (stock received for it), so the board and pick page
    show their layout."""
    inventory.move(session, store_id=store.id, product_id=product_id, kind="receiving",
                   qty=Decimal(10), now=now)  # fmt: skip
    new = orders.NewOrder("miniprogram", "pickup", {"name": "李娜", "phone": "13800000001"},
                          [(sku, Decimal(2))])  # fmt: skip
    return orders.place(
        session, store, new, book=build_pricebook(session, store, 1, now), by="staff", now=now
    ).order_id


def _rollout(session: Session, now: datetime) -> None:
    """A rollout halted at canary: one node failed with its reason, one still waiting."""
    from cloud.devices.service import get_device
    from contracts.bundles import FileEntry, Manifest
    from contracts.messages import UpdateReport

    files = {"app/x.py": FileEntry(sha256="0" * 64, size=1)}
    manifest = Manifest(version="1.2.0", node_kinds=["kiosk"], created_at=now, python="cp311",
                        platform="any", files=files)  # fmt: skip
    updates.publish_release(session, manifest, sha256="0" * 64, size=1, by="admin", now=now)
    updates.set_ring(session, STORE, "kiosk-1", "canary")
    r = updates.start_rollout(session, "1.2.0", ring="canary", percent=100, threshold=20,
                              by="admin", now=now)  # fmt: skip
    updates.due_orders(session, now)
    reason = "self-test failed: broker: not connected to the broker"
    report = UpdateReport(
        version="1.2.0", status="rolled_back", rollout=str(r.id), at=now, reason=reason
    )
    updates.record_report(session, get_device(session, STORE, "kiosk-1"), report, now)


def _purchase_order(session: Session, store: Store, product_id: int, now: datetime) -> str:
    """A sent order from a supplier (the receiving page shows its lines to count)."""
    sup = suppliers.create(session, "DAIRY", {"name": "Bright Dairy 光明乳业"}, now)
    suppliers.set_item(session, sup, product_id, unit_cost=Decimal("4.20"), pack_size=6)
    po = purchase_orders.create(
        session,
        store,
        sup,
        [purchase_orders.LineIn(product_id, Decimal(12))],
        now=now,
        by="manager",
    )
    purchase_orders.approve(session, po, role=Role.MANAGER, by="manager", now=now)
    purchase_orders.mark_sent(session, po, store, now)
    return po.number


def _staff_work(session: Session, store_id: int, now: datetime) -> None:
    """Restock tasks from the lanes' alerts, a task for staff, a rota and worked shifts (the
    staff member's late and over; the manager still on shift), so the tasks and attendance
    pages show their full layout."""
    for lane in ("shelf-1/a2", "shelf-1/a3"):
        tasks.follow_lane(session, store_id=store_id, source=lane, now=now)
    due = now - timedelta(minutes=10)
    tasks.create(session, store_id=store_id, kind="check_device", title="kiosk-2",
                 now=now, by="manager", due_at=due, assignee="staff")  # fmt: skip
    for who, late in (("staff", 12), ("manager", 0)):
        start = now - timedelta(hours=3)
        attendance.plan(session, store_id=store_id, username=who, starts_at=start,
                        ends_at=start + timedelta(hours=8), by="manager", now=now)  # fmt: skip
        attendance.clock_in(session, store_id, who, start + timedelta(minutes=late))
    attendance.clock_out(session, store_id, "staff", now - timedelta(minutes=30))  # staff off
    attendance.plan(session, store_id=store_id, username="staff", now=now, by="manager",
                    starts_at=now - timedelta(days=1, hours=3),
                    ends_at=now - timedelta(days=1))  # fmt: skip


def _sales(session: Session, store_id: int, now: datetime) -> None:
    """A few sales today and on the same weekday last week (for the dashboard's chart)."""
    # Inside the store's local day, however soon after its midnight the test runs.
    zone = ZoneInfo(session.get_one(Store, store_id).timezone)
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    late = [max(now - timedelta(minutes=m), midnight + timedelta(seconds=m)) for m in (3, 9, 17)]
    today = [min(now, at) for at in late]
    records = []
    for i, at in enumerate(today + [now - timedelta(days=7, minutes=m) for m in (5, 65, 125, 185)]):
        data = sale_data(f"DEMO-{i}", n_lines=1 + i % 3)
        data["completed_at"] = at.isoformat()
        records.append(SaleRecord(store_id, "kiosk-1", str(uuid.uuid4()), SaleData(**data)))
    record_sales(session, records, now)
    add_feedback(session, message="The oat milk shelf was empty twice this week.",
                 now=now, store_id=store_id, rating=3)  # fmt: skip
    request_invoice(
        session, sale_id="DEMO-0", buyer_name="Acme Trading", tax_id="91310000MA1234567X", now=now
    )


class _Text(HTMLParser):
    """Visible text and the attributes people hear or read (labels, titles, placeholders);
    skips scripts, styles, literal code (``<code>``: node ids, settings, commands) and
    elements marked ``lang="en"`` (text a device sent, the language switch)."""

    SKIP: ClassVar[set[str]] = {"script", "style", "code", "kbd", "samp"}
    VOID: ClassVar[set[str]] = {
        "br",
        "img",
        "input",
        "meta",
        "link",
        "hr",
        "col",
        "area",
        "base",
        "source",
        "wbr",
    }
    ATTRS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in self.SKIP or values.get("lang") == "en"
        if not (skip or self._skipping()):
            self.parts.extend(str(values[a]) for a in self.ATTRS if values.get(a))
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(str(values.get("value") or ""))
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(p for p in parser.parts if p.strip())


def data_strings(session: Session) -> list[str]:
    """What people typed in, shown as-is in any language: names, codes, addresses; longest
    first so a name is removed before a word inside it."""
    values: set[str] = set()
    columns = (Product.name, Product.sku, Store.name, Store.code, Store.address, User.username,
               User.full_name, Promotion.name, Promotion.code, Member.name,
               SaleLine.name, Invoice.buyer_name, Feedback.message, Task.title,
               RolloutTarget.reason, Supplier.name, Supplier.code)  # fmt: skip
    for column in columns:
        values.update(str(v) for v in session.scalars(select(column).distinct()) if v)
    return sorted(values, key=len, reverse=True)


def english_words(html: str, data: list[str]) -> list[str]:
    text = visible_text(html)
    for value in data:
        text = text.replace(value, " ")
    words = set()
    for token in TOKEN.findall(text):
        word = token.strip(".:/-'’")
        # Codes and acronyms read the same in any language: shelf-1, UTF-8, fleet.dir, PNG.
        if WORD.fullmatch(word) and not word.isupper() and word.lower() not in ALLOWED:
            words.add(word)
    return sorted(words)


def placeholders(html: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(visible_text(html))))
