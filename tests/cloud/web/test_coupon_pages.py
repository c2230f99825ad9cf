"""Console, with cookies and CSRF tokens: coupons are issued by managers within the limits head
office sets on its own page; staff issue none (issue 16)."""

from __future__ import annotations

from sqlalchemy import func, select

from cloud.members import service as members
from cloud.members.models import Coupon
from tests.cloud.web.conftest import Console


def _member(console: Console) -> int:
    with console.sessions() as s, s.begin():
        return members.create_member(s, phone="13800000009", name="Zhou").id


def _coupons(console: Console) -> int:
    with console.sessions() as s:
        return int(s.scalar(select(func.count(Coupon.id))) or 0)


def test_staff_cannot_issue_and_managers_are_held_to_the_limits(console: Console) -> None:
    mid = _member(console)
    url = f"/console/crm/members/{mid}/coupons"
    token = console.login("staff_a")
    page = console.client.get(f"/console/crm/members/{mid}")
    assert page.status_code == 200
    assert 'id="issue"' not in page.text
    res = console.client.post(url, data={"value": "5.00", "days": "30", "csrf_token": token})
    assert res.status_code == 403
    console.client.cookies.clear()

    token = console.login("manager_a")
    page = console.client.get(f"/console/crm/members/{mid}")
    assert 'id="limits"' in page.text
    assert "50.00" in page.text
    res = console.client.post(url, data={"value": "500", "days": "365", "csrf_token": token})
    assert res.status_code == 422
    assert 'id="issue-error"' in res.text
    assert "max_amount_off" in res.text
    res = console.client.post(url, data={"value": "5", "days": "365", "csrf_token": token})
    assert res.status_code == 422
    assert "max_valid_days" in res.text
    assert _coupons(console) == 0
    res = console.client.post(
        url, data={"value": "5.00", "days": "7", "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    assert _coupons(console) == 1
    forged = {"value": "5.00", "days": "7", "csrf_token": "0" * 64}
    assert console.client.post(url, data=forged).status_code == 403
    assert _coupons(console) == 1


def test_head_office_sets_the_limits_managers_only_read_them(console: Console) -> None:
    token = console.login("manager_a")
    page = console.client.get("/console/coupon-limits")
    assert page.status_code == 200
    assert 'id="limits-form"' not in page.text
    assert 'id="limit-max_amount_off"' in page.text
    form = {
        "max_percent_off": "5",
        "max_amount_off": "2.00",
        "max_valid_days": "3",
        "max_campaign_coupons": "10",
        "max_issued_per_day": "1",
    }
    assert (
        console.client.post(
            "/console/coupon-limits", data={**form, "csrf_token": token}
        ).status_code
        == 403
    )
    console.client.cookies.clear()

    token = console.login("hq")
    bad = {**form, "max_valid_days": "0", "csrf_token": token}
    res = console.client.post("/console/coupon-limits", data=bad)
    assert res.status_code == 422
    assert 'id="e-max_valid_days"' in res.text
    res = console.client.post(
        "/console/coupon-limits", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    page = console.client.get("/console/coupon-limits")
    assert "hq" in page.text  # set by whom
    console.client.cookies.clear()

    token = console.login("manager_a")
    mid = _member(console)
    res = console.client.post(
        f"/console/crm/members/{mid}/coupons",
        data={"value": "2.50", "days": "3", "csrf_token": token},
    )
    assert res.status_code == 422
    assert "max_amount_off" in res.text
