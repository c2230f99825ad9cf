"""One request per API operation, for the access matrix: ``RECIPES["METHOD /path"](world,
store)`` builds a request that succeeds for a caller allowed in ``store``.

An operation without a recipe here is built from its OpenAPI description (path and required
query parameters from :data:`DEFAULTS`, the body from the schema's example); when that is not
enough the matrix test says so, and a recipe belongs here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from cloud.db.session import transaction
from cloud.members import coupons
from tests.cloud.api.access_world import FOREIGN, OWN, World, gtin_for

DAY_FROM, DAY_TO = "2026-03-01", "2026-03-03"
T_FROM, T_TO = "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    data: dict[str, str] | None = None
    fresh_user: bool = False
    """Sign in as a new user of the role: the call ends or changes its own session."""
    cookie: bool = False
    """Send a console session cookie instead of a bearer token."""


Recipe = Callable[[World, str], Call]


def other(store: str) -> str:
    return FOREIGN if store == OWN else OWN


def defaults(w: World, store: str) -> dict[str, Any]:
    """Values for path and required query parameters, by name (generic requests)."""
    return {
        "store": store,
        "sku": "MILK-1",
        "member_id": w.member_id,
        "from": DAY_FROM,
        "to": DAY_TO,
        "date": "2026-03-02",
        "gtin": "06901234567892",
        "node": "kiosk-1",
    }


def _v1(path: str) -> str:
    return f"/api/v1{path}"


def _get(path: str, **params: Any) -> Callable[[World, str], Call]:
    return lambda w, s: Call("GET", _v1(path.format(store=s)), _fmt(params, s))


def _fmt(params: dict[str, Any], store: str) -> dict[str, Any]:
    return {k: (v.format(store=store) if isinstance(v, str) else v) for k, v in params.items()}


_RULE = {"kind": "percent_off", "name": "Ten off", "percent": "10"}
_LIMITS = {
    "max_percent_off": "20",
    "max_amount_off": "50.00",
    "max_valid_days": 31,
    "max_campaign_coupons": 1000,
    "max_issued_per_day": 1000,
}
_LOGIN = {"username": "staff_a", "password": "correct horse battery"}

RECIPES: dict[str, Recipe] = {
    # auth
    "POST /api/v1/auth/token": lambda w, s: Call("POST", _v1("/auth/token"), data=_LOGIN),
    "POST /api/v1/auth/session": lambda w, s: Call("POST", _v1("/auth/session"), data=_LOGIN),
    "GET /api/v1/auth/csrf": lambda w, s: Call("GET", _v1("/auth/csrf"), cookie=True),
    "POST /api/v1/auth/logout": lambda w, s: Call("POST", _v1("/auth/logout"), fresh_user=True),
    "POST /api/v1/auth/password": lambda w, s: Call(
        "POST",
        _v1("/auth/password"),
        json={"current": "correct horse battery", "new": "another long password"},
        fresh_user=True,
    ),
    "POST /api/v1/auth/password-reset": lambda w, s: Call(
        "POST", _v1("/auth/password-reset"), json={"username": f"nobody{w.n()}"}
    ),
    "POST /api/v1/auth/password-reset/confirm": lambda w, s: Call(
        "POST",
        _v1("/auth/password-reset/confirm"),
        json={"token": w.reset_token(), "new_password": "another long password"},
    ),
    # users
    "POST /api/v1/users": lambda w, s: Call(
        "POST",
        _v1("/users"),
        json={"username": f"u{w.n()}", "password": "long enough", "role": "staff", "stores": [s]},
    ),
    "GET /api/v1/users/{user_id}": lambda w, s: Call("GET", _v1(f"/users/{w.user_id()}")),
    "PATCH /api/v1/users/{user_id}": lambda w, s: Call(
        "PATCH", _v1(f"/users/{w.user_id()}"), json={"full_name": "Renamed"}
    ),
    "DELETE /api/v1/users/{user_id}": lambda w, s: Call("DELETE", _v1(f"/users/{w.user_id()}")),
    "POST /api/v1/users/{user_id}/unlock": lambda w, s: Call(
        "POST", _v1(f"/users/{w.user_id()}/unlock")
    ),
    # stores and devices
    "POST /api/v1/stores": lambda w, s: Call(
        "POST", _v1("/stores"), json={"code": f"st-{w.n()}", "name": "New store"}
    ),
    "PATCH /api/v1/stores/{store}": lambda w, s: Call(
        "PATCH", _v1(f"/stores/{s}"), json={"contact_name": "Ms Chen"}
    ),
    "POST /api/v1/stores/{store}/devices": lambda w, s: Call(
        "POST", _v1(f"/stores/{s}/devices"), json={"node": f"kiosk-{w.n() + 10}"}
    ),
    "PUT /api/v1/stores/{store}/prices/{sku}": lambda w, s: Call(
        "PUT", _v1(f"/stores/{s}/prices/MILK-1"), json={"price": "11.50"}
    ),
    "DELETE /api/v1/stores/{store}/prices/{sku}": lambda w, s: Call(
        "DELETE", _v1(f"/stores/{s}/prices/{w.store_price(s)}")
    ),
    # catalogue
    "POST /api/v1/products": lambda w, s: Call(
        "POST", _v1("/products"), json={"sku": f"N-{w.n()}", "name": "Tea", "price": "3.00"}
    ),
    "PATCH /api/v1/products/{sku}": lambda w, s: Call(
        "PATCH", _v1("/products/MILK-1"), json={"name": "Milk 1 L"}
    ),
    "DELETE /api/v1/products/{sku}": lambda w, s: Call(
        "DELETE", _v1(f"/products/{w.product()[0]}")
    ),
    "POST /api/v1/products/{sku}/barcodes": lambda w, s: _barcode_add(w),
    "DELETE /api/v1/products/{sku}/barcodes/{gtin}": lambda w, s: _barcode_remove(w),
    "POST /api/v1/categories": lambda w, s: Call(
        "POST", _v1("/categories"), json={"code": f"cat-{w.n()}", "name": "Snacks"}
    ),
    "GET /api/v1/promotions": _get("/promotions", store="{store}"),
    "POST /api/v1/promotions": lambda w, s: Call(
        "POST", _v1("/promotions"), json={"rule": {**_RULE, "id": f"n{w.n()}"}, "store": s}
    ),
    "GET /api/v1/promotions/{code}": lambda w, s: Call("GET", _v1(f"/promotions/{w.promotion(s)}")),
    "PATCH /api/v1/promotions/{code}": lambda w, s: Call(
        "PATCH", _v1(f"/promotions/{w.promotion(s)}"), json={"active": False}
    ),
    "DELETE /api/v1/promotions/{code}": lambda w, s: Call(
        "DELETE", _v1(f"/promotions/{w.promotion(s)}")
    ),
    # members and their programme
    "GET /api/v1/members/lookup/balance": _get("/members/lookup/balance", phone="13800000001"),
    "PUT /api/v1/members/{member_id}/channels/{channel}": lambda w, s: Call(
        "PUT", _v1(f"/members/{w.member_id}/channels/sms"), json={"opted_in": True}
    ),
    "POST /api/v1/coupons": lambda w, s: Call(
        "POST", _v1("/coupons"), json={"value": "5.00", "valid_days": 7}
    ),
    "PUT /api/v1/coupons/limits": lambda w, s: Call("PUT", _v1("/coupons/limits"), json=_LIMITS),
    "GET /api/v1/coupons/{code}": lambda w, s: Call("GET", _v1(f"/coupons/{_coupon(w)}")),
    "POST /api/v1/marketing/segments/preview": lambda w, s: Call(
        "POST", _v1("/marketing/segments/preview"), json={"definition": {"tiers": ["basic"]}}
    ),
    "POST /api/v1/marketing/campaigns": lambda w, s: Call(
        "POST",
        _v1("/marketing/campaigns"),
        json={
            "code": f"c{w.n()}",
            "name": "Spring",
            "coupon_prefix": "SP",
            "coupon_value": "5.00",
            "valid_days": 7,
        },
    ),
    "POST /api/v1/marketing/campaigns/{code}/send": lambda w, s: Call(
        "POST", _v1(f"/marketing/campaigns/{w.campaign()}/send")
    ),
    "POST /api/v1/members": lambda w, s: Call(
        "POST", _v1("/members"), json={"phone": f"137{w.n():08d}", "name": "Wu"}
    ),
    "PATCH /api/v1/members/{member_id}": lambda w, s: Call(
        "PATCH", _v1(f"/members/{w.member()}"), json={"name": "Wu Lei"}
    ),
    "DELETE /api/v1/members/{member_id}": lambda w, s: Call(
        "DELETE", _v1(f"/members/{w.member()}")
    ),
    "POST /api/v1/members/{member_id}/points": lambda w, s: Call(
        "POST", _v1(f"/members/{w.member_id}/points"), json={"points": 10, "reason": "goodwill"}
    ),
    # returns and invoices (a sale of the store)
    "GET /api/v1/returns/sale/{sale_ref}": lambda w, s: Call(
        "GET", _v1(f"/returns/sale/{w.sale(s)}")
    ),
    "POST /api/v1/returns": lambda w, s: Call(
        "POST",
        _v1("/returns"),
        json={"sale_id": w.sale(s), "reason": "faulty", "lines": [{"line_no": 1, "qty": "1"}]},
    ),
    "GET /api/v1/returns": _get("/returns", store="{store}", **{"from": T_FROM, "to": T_TO}),
    "GET /api/v1/returns/reasons": _get(
        "/returns/reasons", store="{store}", **{"from": T_FROM, "to": T_TO}
    ),
    "POST /api/v1/invoices": lambda w, s: Call(
        "POST", _v1("/invoices"), json={"sale_id": w.sale(s), "buyer_name": "Buyer Ltd"}
    ),
    "GET /api/v1/invoices": _get("/invoices", store="{store}", **{"from": T_FROM, "to": T_TO}),
    "POST /api/v1/invoices/receipt": lambda w, s: _receipt_invoice(w, s),
    "GET /api/v1/invoices/export.csv": _get(
        "/invoices/export.csv", store="{store}", **{"from": T_FROM, "to": T_TO}
    ),
    "GET /api/v1/invoices/{invoice_no}/pdf": lambda w, s: Call(
        "GET", _v1(f"/invoices/{w.invoice(s)}/pdf")
    ),
    # inventory
    "POST /api/v1/inventory/{store}/receiving": lambda w, s: Call(
        "POST", _v1(f"/inventory/{s}/receiving"), json={"sku": "MILK-1", "qty": "12"}
    ),
    "POST /api/v1/inventory/{store}/adjustments": lambda w, s: Call(
        "POST",
        _v1(f"/inventory/{s}/adjustments"),
        json={"sku": "MILK-1", "qty": "-1", "reason": "damaged"},
    ),
    "POST /api/v1/inventory/{store}/stocktake": lambda w, s: Call(
        "POST",
        _v1(f"/inventory/{s}/stocktake"),
        json={"counts": [{"sku": "MILK-1", "counted": "5", "reason": "found"}]},
    ),
    "POST /api/v1/inventory/{store}/transfers": lambda w, s: Call(
        "POST",
        _v1(f"/inventory/{s}/transfers"),
        json={"to_store": other(s), "sku": w.stocked(s, "MILK-1"), "qty": "1"},
    ),
    # online orders (a fresh order of the store for each call)
    "POST /api/v1/orders": lambda w, s: Call(
        "POST",
        _v1("/orders"),
        json={
            "store": s,
            "channel": "web",
            "fulfilment": "pickup",
            "customer": {"name": "Li"},
            "lines": [{"sku": w.stocked(s, "MILK-1"), "qty": "1"}],
        },
    ),
    "GET /api/v1/orders": _get("/orders", store="{store}"),
    "GET /api/v1/orders/{order_id}": lambda w, s: Call("GET", _v1(f"/orders/{w.order(s)[0]}")),
    "POST /api/v1/orders/{order_id}/scans": lambda w, s: Call(
        "POST", _v1(f"/orders/{w.order(s, 'picking')[0]}/scans"), json={"code": "MILK-1"}
    ),
    "POST /api/v1/orders/{order_id}/{action}": lambda w, s: Call(
        "POST", _v1(f"/orders/{w.order(s)[0]}/cancel")
    ),
    "GET /api/v1/pickups/{pickup_code}": lambda w, s: Call(
        "GET", _v1(f"/pickups/{w.order(s, 'ready')[1]}"), {"store": s}
    ),
    "POST /api/v1/pickups/{pickup_code}/collect": lambda w, s: Call(
        "POST", _v1(f"/pickups/{w.order(s, 'ready')[1]}/collect"), json={"store": s}
    ),
    # attendance
    "POST /api/v1/attendance/clock-in": lambda w, s: Call(
        "POST", _v1("/attendance/clock-in"), json={"store": s + w.on_shift(None)}
    ),
    "POST /api/v1/attendance/clock-out": lambda w, s: Call(
        "POST", _v1("/attendance/clock-out"), json={"store": w.on_shift(s)}
    ),
    "GET /api/v1/attendance": _get("/attendance", store="{store}"),
    "POST /api/v1/attendance/rota": lambda w, s: Call(
        "POST", _v1("/attendance/rota"), json=w.rota_body(s)
    ),
    "GET /api/v1/attendance/rota": _get("/attendance/rota", store="{store}"),
    "DELETE /api/v1/attendance/rota/{rota_id}": lambda w, s: Call(
        "DELETE", _v1(f"/attendance/rota/{w.rota(s)}")
    ),
    "GET /api/v1/attendance/timesheet": _get("/attendance/timesheet", store="{store}"),
    # tasks and feedback
    "GET /api/v1/tasks": _get("/tasks", store="{store}"),
    "POST /api/v1/tasks": lambda w, s: Call(
        "POST", _v1("/tasks"), json={"store": s, "kind": "custom", "title": "Wipe the scale"}
    ),
    "GET /api/v1/tasks/metrics": _get("/tasks/metrics", store="{store}"),
    "GET /api/v1/tasks/{task_id}": lambda w, s: Call("GET", _v1(f"/tasks/{w.task(s)}")),
    "POST /api/v1/tasks/{task_id}/{action}": lambda w, s: Call(
        "POST", _v1(f"/tasks/{w.task(s)}/done")
    ),
    "POST /api/v1/feedback": lambda w, s: Call(
        "POST", _v1("/feedback"), json={"store": s, "rating": 5, "message": "Great shop"}
    ),
    "GET /api/v1/feedback": _get("/feedback", store="{store}"),
    "GET /api/v1/feedback/ratings": _get("/feedback/ratings", store="{store}"),
    "POST /api/v1/feedback/{feedback_id}/{action}": lambda w, s: Call(
        "POST", _v1(f"/feedback/{w.feedback(s)}/answer"), json={"response": "Thank you"}
    ),
    # sales, alerts, reports, finance, forecast
    "GET /api/v1/sales": _get("/sales", store="{store}"),
    "GET /api/v1/sales/{sale_id}": lambda w, s: Call("GET", _v1(f"/sales/{w.sale(s)}")),
    "GET /api/v1/alerts": _get("/alerts", store="{store}"),
    "GET /api/v1/alerts/{alert_id}": lambda w, s: Call("GET", _v1(f"/alerts/{w.alert(s)}")),
    "POST /api/v1/alerts/{alert_id}/acknowledge": lambda w, s: Call(
        "POST", _v1(f"/alerts/{w.alert(s)}/acknowledge")
    ),
    "POST /api/v1/alerts/{alert_id}/assign": lambda w, s: Call(
        "POST", _v1(f"/alerts/{w.alert(s)}/assign"), json={"assignee": "staff_a"}
    ),
    "POST /api/v1/alerts/{alert_id}/resolve": lambda w, s: Call(
        "POST", _v1(f"/alerts/{w.alert(s)}/resolve")
    ),
    "GET /api/v1/reports/sales/daily": _get(
        "/reports/sales/daily", store="{store}", **{"from": DAY_FROM, "to": DAY_TO}
    ),
    "GET /api/v1/reports/{name}": _get(
        "/reports/sales-by-day", store="{store}", **{"from": DAY_FROM, "to": DAY_TO}
    ),
    "POST /api/v1/finance/expenses": lambda w, s: Call(
        "POST",
        _v1("/finance/expenses"),
        json={"store": s, "category": "rent", "amount": "100.00", "on": "2026-03-02"},
    ),
    "POST /api/v1/finance/recurring-expenses": lambda w, s: Call(
        "POST",
        _v1("/finance/recurring-expenses"),
        json={"store": s, "category": "rent", "amount": "100.00", "starts_on": "2026-03-01"},
    ),
    "POST /api/v1/forecast/orders": lambda w, s: Call(
        "POST", _v1("/forecast/orders"), json={"store": s, "sku": "MILK-1", "qty": "6"}
    ),
    # notices, dead letters, audit
    "POST /api/v1/notices": lambda w, s: Call(
        "POST", _v1("/notices"), json={"store": s, "title": "Fire drill at 15:00"}
    ),
    "DELETE /api/v1/notices/{notice_id}": lambda w, s: Call(
        "DELETE", _v1(f"/notices/{w.notice(s)}")
    ),
    "GET /api/v1/deadletters/{dead_letter_id}": lambda w, s: Call(
        "GET", _v1(f"/deadletters/{w.dead_letter()}")
    ),
    "POST /api/v1/deadletters/{dead_letter_id}/replay": lambda w, s: Call(
        "POST", _v1(f"/deadletters/{w.dead_letter()}/replay"), json={}
    ),
    "POST /api/v1/deadletters/{dead_letter_id}/discard": lambda w, s: Call(
        "POST", _v1(f"/deadletters/{w.dead_letter()}/discard")
    ),
    "GET /api/v1/audit": _get("/audit", store="{store}"),
}


def _barcode_add(w: World) -> Call:
    sku, _ = w.product()
    return Call("POST", _v1(f"/products/{sku}/barcodes"), json={"gtin": gtin_for(w.n())})


def _barcode_remove(w: World) -> Call:
    sku, gtin = w.product(gtin=True)
    return Call("DELETE", _v1(f"/products/{sku}/barcodes/{gtin}"))


def _coupon(w: World) -> str:
    now = w.api.clock()
    with transaction(w.api.sessions) as s:
        c = coupons.issue(
            s, prefix="CK", kind="amount_off", value=Decimal(5), now=now,
            valid_from=now, expires_at=now + timedelta(days=7),
        )  # fmt: skip
        assert c is not None
        return c.code


def _receipt_invoice(w: World, store: str) -> Call:
    sale_id = w.sale(store)
    body = {"sale_id": sale_id, "buyer_name": "Buyer Ltd", "total": w.sale_total(sale_id)}
    return Call("POST", _v1("/invoices/receipt"), json=body)
