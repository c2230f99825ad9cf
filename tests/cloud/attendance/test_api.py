"""Clock-in and clock-out over REST (SQLite and PostgreSQL): one open shift per user, listed
by the store's local business day (store-a is in Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime

from tests.cloud.api.conftest import Api


def test_a_shift_from_clock_in_to_clock_out_on_the_local_day(api: Api) -> None:
    api.clock.now = datetime.fromisoformat("2026-03-02T23:30:00+00:00")  # 07:30 3 March local
    staff, manager = api.headers("staff_a"), api.headers("manager_a")
    res = api.client.post("/api/v1/attendance/clock-in", json={"store": "store-a"}, headers=staff)
    assert res.status_code == 201, res.text
    again = api.client.post("/api/v1/attendance/clock-in", json={"store": "store-a"}, headers=staff)
    assert again.status_code == 409
    api.clock.advance(hours=8)
    staff, manager = api.headers("staff_a"), api.headers("manager_a")  # the old ones expired
    out = api.client.post("/api/v1/attendance/clock-out", json={"store": "store-a"}, headers=staff)
    assert out.status_code == 200, out.text
    assert out.json()["clock_out_at"] == "2026-03-03T07:30:00.000Z"
    twice = api.client.post(
        "/api/v1/attendance/clock-out", json={"store": "store-a"}, headers=staff
    )
    assert twice.status_code == 409
    shifts = api.client.get("/api/v1/attendance", params={"store": "store-a"}, headers=manager)
    assert [(s["username"], s["clock_in_at"]) for s in shifts.json()] == [
        ("staff_a", "2026-03-02T23:30:00.000Z")
    ]  # today in Shanghai is 3 March, though the shift began on 2 March in UTC
    utc_day = {"store": "store-a", "from": "2026-03-02", "to": "2026-03-02"}
    assert api.client.get("/api/v1/attendance", params=utc_day, headers=manager).json() == []


def test_bad_input_and_scope(api: Api) -> None:
    staff = api.headers("staff_a")
    for body in ({"store": 7}, {"store": ""}, {"store": "store-a", "x": 1}, {}):
        res = api.client.post("/api/v1/attendance/clock-in", json=body, headers=staff)
        assert res.status_code == 422, body
    res = api.client.post("/api/v1/attendance/clock-in", json={"store": "store-b"}, headers=staff)
    assert res.status_code == 403
    cashier = api.headers("cashier_a")
    res = api.client.post("/api/v1/attendance/clock-in", json={"store": "store-a"}, headers=cashier)
    assert res.status_code == 403
    listing = api.client.get("/api/v1/attendance", params={"store": "store-a"}, headers=staff)
    assert listing.status_code == 403
    back = {"store": "store-a", "from": "2026-03-05", "to": "2026-03-01"}
    res = api.client.get("/api/v1/attendance", params=back, headers=api.headers("manager_a"))
    assert res.status_code == 422
