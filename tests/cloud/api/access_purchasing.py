"""Access-matrix recipes for /suppliers and /purchase-orders: each builds the order it acts
on in the asked store, in the status the operation needs (a draft to approve, a sent order
to receive, a received one to return from or pay)."""

from __future__ import annotations

from decimal import Decimal

from cloud.auth.models import Role
from cloud.db.session import transaction
from cloud.products.repository import by_sku
from cloud.purchasing.service import orders, receiving
from cloud.stores import service as stores
from cloud.suppliers import service as suppliers
from tests.cloud.api.access_requests import Call, Recipe
from tests.cloud.api.access_world import World

STAGES = ("draft", "approved", "sent", "partially_received", "received")
V1 = "/api/v1"


def supplier(w: World) -> str:
    """BRIGHT, selling MILK-1 at 1.00 (made once)."""
    with transaction(w.api.sessions) as s:
        if suppliers.find(s, "BRIGHT") is None:
            row = suppliers.create(s, "BRIGHT", {"name": "Bright Dairy"}, w.api.clock())
            product = by_sku(s, "MILK-1")
            assert product is not None
            suppliers.set_item(s, row, product.id, unit_cost=Decimal("1.00"))
    return "BRIGHT"


def order(w: World, store: str, stage: str = "draft") -> str:
    """A fresh order of 10 MILK-1 from BRIGHT in ``store``, taken up to ``stage``."""
    supplier(w)
    now, upto = w.api.clock(), STAGES.index(stage)
    with transaction(w.api.sessions) as s:
        st = stores.get_store(s, store)
        product = by_sku(s, "MILK-1")
        assert product is not None
        po = orders.create(
            s, st, suppliers.get(s, "BRIGHT"), [orders.LineIn(product.id, Decimal(10))],
            now=now, by="admin",
        )  # fmt: skip
        if upto >= 1:
            orders.approve(s, po, role=Role.ADMIN, by="admin", now=now)
        if upto >= 2:
            orders.mark_sent(s, po, st, now)
        if upto >= 3:
            qty = Decimal(4) if upto == 3 else Decimal(10)
            receiving.receive(s, po, [receiving.Count(1, qty)], by="admin", now=now)
        return po.number


def _po(stage: str, suffix: str, method: str = "POST", json: object = None) -> Recipe:
    return lambda w, s: Call(
        method, f"{V1}/purchase-orders/{order(w, s, stage)}{suffix}", json=json
    )


def _supplier_item(w: World, method: str) -> Call:
    code = supplier(w)
    if method == "DELETE":
        with transaction(w.api.sessions) as s:
            product = by_sku(s, "MILK-1")
            assert product is not None
            suppliers.set_item(s, suppliers.get(s, code), product.id, unit_cost=Decimal(1))
    body = {"unit_cost": "1.00"} if method == "PUT" else None
    return Call(method, f"{V1}/suppliers/{code}/items/MILK-1", json=body)


RECIPES: dict[str, Recipe] = {
    "POST /api/v1/suppliers": lambda w, s: Call(
        "POST", f"{V1}/suppliers", json={"code": f"S{w.n()}", "name": "Green Farm"}
    ),
    "POST /api/v1/suppliers/import": lambda w, s: Call(
        "POST", f"{V1}/suppliers/import", json={"csv": f"code,name\nS{w.n()},Farm\n"}
    ),
    "GET /api/v1/suppliers/{code}": lambda w, s: Call("GET", f"{V1}/suppliers/{supplier(w)}"),
    "PATCH /api/v1/suppliers/{code}": lambda w, s: Call(
        "PATCH", f"{V1}/suppliers/{supplier(w)}", json={"lead_time_days": 2}
    ),
    "PUT /api/v1/suppliers/{code}/items/{sku}": lambda w, s: _supplier_item(w, "PUT"),
    "DELETE /api/v1/suppliers/{code}/items/{sku}": lambda w, s: _supplier_item(w, "DELETE"),
    "GET /api/v1/purchase-orders": lambda w, s: Call(
        "GET", f"{V1}/purchase-orders", params={"store": s}
    ),
    "POST /api/v1/purchase-orders": lambda w, s: Call(
        "POST",
        f"{V1}/purchase-orders",
        json={"store": s, "supplier": supplier(w), "lines": [{"sku": "MILK-1", "qty": "5"}]},
    ),
    "POST /api/v1/purchase-orders/from-reorder": lambda w, s: Call(
        "POST", f"{V1}/purchase-orders/from-reorder", json={"store": s}
    ),
    "GET /api/v1/purchase-orders/payables": lambda w, s: Call(
        "GET", f"{V1}/purchase-orders/payables", params={"store": s}
    ),
    "GET /api/v1/purchase-orders/supplier-performance": lambda w, s: Call(
        "GET",
        f"{V1}/purchase-orders/supplier-performance",
        params={"store": s, "from": "2026-03-01", "to": "2026-03-03"},
    ),
    "GET /api/v1/purchase-orders/{number}": _po("draft", "", "GET"),
    "GET /api/v1/purchase-orders/{number}/pdf": _po("draft", "/pdf", "GET"),
    "GET /api/v1/purchase-orders/{number}/csv": _po("draft", "/csv", "GET"),
    "POST /api/v1/purchase-orders/{number}/approve": _po("draft", "/approve"),
    "POST /api/v1/purchase-orders/{number}/send": _po("approved", "/send"),
    "POST /api/v1/purchase-orders/{number}/cancel": _po("approved", "/cancel"),
    "POST /api/v1/purchase-orders/{number}/close": _po("partially_received", "/close"),
    "POST /api/v1/purchase-orders/{number}/receipts": _po(
        "sent", "/receipts", json={"lines": [{"line_no": 1, "qty": "10"}]}
    ),
    "POST /api/v1/purchase-orders/{number}/returns": _po(
        "received", "/returns", json={"line_no": 1, "qty": "1", "reason": "leaking"}
    ),
    "POST /api/v1/purchase-orders/{number}/payments": _po(
        "received", "/payments", json={"amount": "1.00"}
    ),
}
