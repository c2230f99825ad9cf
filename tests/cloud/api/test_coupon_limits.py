"""Coupons and campaigns are a manager's, within head office's limits; a refusal is a 422 that
names the limit (issue 16: "Staff can mint 100 %-off bearer coupons valid for a year")."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cloud.members import service as members
from cloud.members.models import Coupon
from tests.cloud.api.conftest import Api

LIMITS = {
    "max_percent_off": "10",
    "max_amount_off": "20.00",
    "max_valid_days": 14,
    "max_campaign_coupons": 2,
    "max_issued_per_day": 2,
}


def _limit(res: object) -> str:
    detail = res.json()["detail"]  # type: ignore[attr-defined]
    return str(detail[0]["msg"] if isinstance(detail, list) else detail)


def test_staff_can_no_longer_mint_a_year_of_free_shopping(api: Api) -> None:
    body = {"kind": "percent_off", "value": "100", "valid_days": 365}
    staff = api.headers("staff_a")
    assert api.client.post("/api/v1/coupons", json=body, headers=staff).status_code == 403
    campaign = {"code": "FREE", "name": "Free", "coupon_prefix": "FR", "coupon_value": "100"}
    res = api.client.post("/api/v1/marketing/campaigns", json=campaign, headers=staff)
    assert res.status_code == 403
    manager = api.headers("manager_a")
    res = api.client.post("/api/v1/coupons", json=body, headers=manager)
    assert res.status_code == 422
    assert "max_percent_off" in _limit(res)  # the default limit, never set by head office
    with api.sessions() as s:
        assert s.scalar(select(func.count(Coupon.id))) == 0


def test_head_office_sets_the_limits_managers_keep_within(api: Api) -> None:
    manager = api.headers("manager_a")
    hq = api.headers("hq")
    res = api.client.put("/api/v1/coupons/limits", json=LIMITS, headers=manager)
    assert res.status_code == 403
    res = api.client.put("/api/v1/coupons/limits", json=LIMITS, headers=hq)
    assert res.status_code == 200, res.text
    assert res.json()["updated_by"] == "hq"
    seen = api.client.get("/api/v1/coupons/limits", headers=manager).json()
    assert (seen["max_amount_off"], seen["max_valid_days"]) == ("20.00", 14)
    assert (
        api.client.get("/api/v1/coupons/limits", headers=api.headers("staff_a")).status_code == 403
    )

    refused = {
        "max_percent_off": {"kind": "percent_off", "value": "15"},
        "max_amount_off": {"value": "20.01"},
        "max_valid_days": {"value": "5.00", "valid_days": 15},
    }
    for limit, body in refused.items():
        res = api.client.post("/api/v1/coupons", json=body, headers=manager)
        assert res.status_code == 422, (limit, res.text)
        assert limit in _limit(res)
    ok = {"kind": "percent_off", "value": "10", "valid_days": 14}
    for _ in range(2):
        assert api.client.post("/api/v1/coupons", json=ok, headers=manager).status_code == 201
    res = api.client.post("/api/v1/coupons", json=ok, headers=manager)
    assert res.status_code == 422
    assert "max_issued_per_day" in _limit(res)
    api.clock.advance(hours=24, seconds=1)
    assert (
        api.client.post("/api/v1/coupons", json=ok, headers=api.headers("manager_a")).status_code
        == 201
    )
    # Head office is not bound by the limits it sets.
    hq = api.headers("hq")  # the clock moved past the first token's life
    big = {"kind": "percent_off", "value": "50", "valid_days": 90}
    assert api.client.post("/api/v1/coupons", json=big, headers=hq).status_code == 201
    for bad in ({**LIMITS, "max_percent_off": "101"}, {**LIMITS, "max_valid_days": 0}, {}):
        assert api.client.put("/api/v1/coupons/limits", json=bad, headers=hq).status_code == 422


def test_a_managers_campaign_keeps_within_the_limits(api: Api) -> None:
    hq = api.headers("hq")
    assert api.client.put("/api/v1/coupons/limits", json=LIMITS, headers=hq).status_code == 200
    manager = api.headers("manager_a")
    base = {
        "code": "SPRING",
        "name": "Spring",
        "coupon_prefix": "SP",
        "coupon_value": "5.00",
        "valid_days": 14,
    }
    url = "/api/v1/marketing/campaigns"
    for limit, extra in (
        ("max_amount_off", {"coupon_value": "25.00"}),
        ("max_percent_off", {"coupon_kind": "percent_off", "coupon_value": "30"}),
        ("max_valid_days", {"valid_days": 30}),
        ("max_campaign_coupons", {"max_coupons": 3}),
    ):
        res = api.client.post(url, json={**base, **extra}, headers=manager)
        assert res.status_code == 422, (limit, res.text)
        assert limit in _limit(res)
    res = api.client.post(url, json=base, headers=manager)
    assert res.status_code == 201, res.text
    with api.sessions() as s, s.begin():
        for i in range(4):
            members.create_member(s, phone=f"1390000000{i}", name=f"M{i}")
    res = api.client.post(f"{url}/SPRING/send", headers=manager)
    assert res.status_code == 200, res.text
    assert res.json()["coupons"] == 2  # the campaign's cap is the limit in force
    with api.sessions() as s:
        rows = s.scalars(select(Coupon).where(Coupon.campaign_id.is_not(None))).all()
        assert len(rows) == 2
        assert all(c.expires_at - c.issued_at == timedelta(days=14) for c in rows)
    staff_send = api.client.post(f"{url}/SPRING/send", headers=api.headers("staff_a"))
    assert staff_send.status_code == 403
