"""The kiosk's cashier login is a checkout: it looks one member up by phone or card (id, masked
name, tier, balance) and checks coupons, and nothing else (issue 16, decision 0034)."""

from __future__ import annotations

from datetime import date

from cloud.members import service as members
from tests.cloud.api.conftest import Api


def _member(api: Api) -> int:
    with api.sessions() as s, s.begin():
        m = members.create_member(
            s, phone="13800138000", card="MC-000123", name="Wang Fang", birthday=date(1990, 5, 17)
        )
        members.adjust_points(s, m.id, 250, kind="adjust", reason="welcome", now=api.clock())
        return m.id


def test_the_kiosk_login_cannot_list_members_or_see_their_details(api: Api) -> None:
    mid = _member(api)
    cashier = api.headers("cashier_a")
    for path, params in (
        ("/api/v1/members", {}),
        ("/api/v1/members", {"phone": "13800138000"}),
        ("/api/v1/members", {"q": "138"}),
        (f"/api/v1/members/{mid}", {}),
        (f"/api/v1/members/{mid}/points", {}),
        (f"/api/v1/members/{mid}/coupons", {}),
        (f"/api/v1/members/{mid}/tier-changes", {}),
        (f"/api/v1/marketing/members/{mid}/profile", {}),
        ("/api/v1/marketing/segments", {}),
        ("/api/v1/invoices", {}),
        ("/api/v1/returns", {}),
        ("/api/v1/products", {}),
        ("/api/v1/alerts", {}),
        ("/api/v1/stores", {}),
    ):
        res = api.client.get(path, params=params, headers=cashier)
        assert res.status_code == 403, (path, res.text)
        assert "13800138000" not in res.text
        assert "1990" not in res.text
    res = api.client.post("/api/v1/members", json={"phone": "13900000000"}, headers=cashier)
    assert res.status_code == 403


def test_the_kiosk_looks_a_member_up_by_phone_or_card_and_sees_only_what_it_needs(
    api: Api,
) -> None:
    mid = _member(api)
    cashier = api.headers("cashier_a")
    for params in ({"phone": "13800138000"}, {"card": "MC-000123"}):
        res = api.client.get("/api/v1/members/lookup/balance", params=params, headers=cashier)
        assert res.status_code == 200, res.text
        assert res.json() == {
            "member_id": mid,
            "name": "W*** F***",
            "tier": "basic",
            "points_balance": 250,
            "redeem_value": "0.01",
            "offline_redeem_limit": 500,
        }
    res = api.client.get(
        "/api/v1/members/lookup/balance", params={"phone": "13900000000"}, headers=cashier
    )
    assert res.status_code == 404
    assert api.client.get("/api/v1/coupons/NOPE", headers=cashier).status_code == 422
    assert api.client.get("/api/v1/auth/me", headers=cashier).json()["role"] == "cashier"


def test_head_office_sees_no_member(api: Api) -> None:
    mid = _member(api)
    hq = api.headers("hq")
    for path in ("/api/v1/members", f"/api/v1/members/{mid}", "/api/v1/members/lookup/balance"):
        assert api.client.get(path, params={"phone": "1"}, headers=hq).status_code == 403, path
    staff = api.headers("staff_a")
    res = api.client.get("/api/v1/members", params={"phone": "13800138000"}, headers=staff)
    assert [m["birthday"] for m in res.json()["items"]] == ["1990-05-17"]  # the service desk
