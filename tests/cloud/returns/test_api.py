"""The HTTP side: kiosk balance lookup, coupon issue/check, a return from the receipt QR,
an invoice with its PDF and CSV export; malformed input gets 4xx, never 500."""

from __future__ import annotations

from datetime import timedelta

from cloud.db.session import transaction
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.members import service as members
from cloud.stores import service as stores
from tests.cloud.api.conftest import Api
from tests.cloud.factories import T0, envelope, message
from tests.cloud.members.helpers import member_sale


def _sale(api: Api) -> None:
    from cloud.devices import service as devices

    with transaction(api.sessions) as s:
        devices.register_device(s, "store-a", "kiosk-1", "kiosk")
        members.create_member(s, phone="13800000001", name="Li")
        assert stores is not None
    topic, raw = message(envelope("sale", member_sale("S-9"), seq=1, store="store-a"))
    pipe = Pipeline(api.sessions, clock=lambda: T0 + timedelta(seconds=5))
    pipe.process([Inbound(topic, raw)])
    assert pipe.applied == 1


def test_balance_coupon_return_invoice(api: Api) -> None:
    _sale(api)
    c = api.client
    cashier = api.headers("cashier_a")
    bal = c.get("/api/v1/members/lookup/balance", params={"phone": "13800000001"}, headers=cashier)
    assert bal.status_code == 200, bal.text
    assert bal.json()["points_balance"] == 119
    assert bal.json()["offline_redeem_limit"] == 500
    assert c.get("/api/v1/members/lookup/balance", headers=cashier).status_code == 422
    assert (
        c.get("/api/v1/members/lookup/balance", params={"phone": "1"}, headers=cashier).status_code
        == 404
    )

    assert bal.json()["name"] == "L*"  # masked: a checkout sees no more
    staff = api.headers("staff_a")
    manager = api.headers("manager_a")
    issued = c.post(
        "/api/v1/coupons",
        json={"member_id": bal.json()["member_id"], "value": "5.00"},
        headers=manager,
    )
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    assert issued.json()["qr_svg"].startswith("<svg")
    assert c.get(f"/api/v1/coupons/{code}", headers=cashier).status_code == 200
    assert c.get("/api/v1/coupons/NOPE", headers=cashier).status_code == 422
    assert c.post("/api/v1/coupons", json={"value": "-1"}, headers=manager).status_code == 422

    look = c.get("/api/v1/returns/sale/S-9", headers=staff)
    assert look.status_code == 200, look.text
    assert [ln["line_no"] for ln in look.json()["lines"]] == [1, 2, 3, 4, 5]
    body = {
        "sale_id": "https://r.smartstore.invalid/S-9",
        "reason": "faulty",  # receipt QR
        "lines": [{"line_no": 2, "qty": "2"}, {"line_no": 4, "qty": "2"}],
    }
    ret = c.post("/api/v1/returns", json=body, headers=staff)
    assert ret.status_code == 201, ret.text
    assert ret.json()["refund_total"] == "48.00"
    assert ret.json()["points_reversed"] == 48
    assert "RETURN" in ret.json()["receipt"]
    again = c.post("/api/v1/returns", json=body, headers=staff)
    assert again.status_code == 409
    bad = c.post(
        "/api/v1/returns", json={**body, "lines": [{"line_no": 0, "qty": "x"}]}, headers=staff
    )
    assert bad.status_code == 422
    assert c.post("/api/v1/returns", json=body, headers=api.headers("staff_b")).status_code == 403
    reasons = c.get(
        "/api/v1/returns/reasons",
        headers=staff,
        params={"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
    )
    assert reasons.json() == [{"reason": "faulty", "returns": 1, "refunded": "48.00"}]

    inv = c.post(
        "/api/v1/invoices/receipt",
        json={"sale_id": "S-9", "buyer_name": "王芳", "tax_id": "91310000X", "total": "119.00"},
    )
    assert inv.status_code == 201, inv.text
    wrong = c.post(
        "/api/v1/invoices/receipt", json={"sale_id": "S-9", "buyer_name": "x", "total": "1.00"}
    )
    assert wrong.status_code == 422
    twice = c.post("/api/v1/invoices", json={"sale_id": "S-9", "buyer_name": "x"}, headers=staff)
    assert twice.status_code == 409
    pdf = c.get(inv.json()["pdf_url"], headers=staff)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    csv = c.get(
        "/api/v1/invoices/export.csv",
        headers=staff,
        params={"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
    )
    assert csv.status_code == 200
    assert csv.text.splitlines()[1].split(",")[1:2] == ["S-9"]
    assert "王芳" in csv.text
