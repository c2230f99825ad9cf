"""The weekly timesheet over REST (SQLite and PostgreSQL) in store-a's zone, Asia/Shanghai
(UTC+8): a rota planned by the manager, clock-ins and outs by staff at fake-clock times, then
hours, minutes late and absences per local day, and the same as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.cloud.api.conftest import Api


def at(api: Api, when: str) -> None:
    api.clock.now = datetime.fromisoformat(when)


def plan(api: Api, starts: str, ends: str) -> Any:
    body = {"store": "store-a", "username": "staff_a", "starts_at": starts, "ends_at": ends}
    return api.client.post("/api/v1/attendance/rota", json=body, headers=api.headers("manager_a"))


def clock(api: Api, action: str, when: str) -> None:
    at(api, when)
    res = api.client.post(f"/api/v1/attendance/clock-{action}", json={"store": "store-a"},
                          headers=api.headers("staff_a"))  # fmt: skip
    assert res.status_code in (200, 201), res.text


def test_week_with_late_and_absent_marks_in_shanghai(api: Api) -> None:
    at(api, "2026-03-01T12:00:00+00:00")
    for starts, ends in (
        ("2026-03-02T01:00:00Z", "2026-03-02T09:00:00Z"),  # Mon 09:00-17:00 local
        ("2026-03-03T01:00:00Z", "2026-03-03T09:00:00Z"),  # Tue: never comes
        ("2026-03-04T01:00:00Z", "2026-03-04T09:00:00Z"),  # Wed: a little early
        ("2026-03-04T23:00:00Z", "2026-03-05T07:00:00Z"),  # Thu 07:00 local, Wed in UTC
    ):
        assert plan(api, starts, ends).status_code == 201
    assert plan(api, "2026-03-02T05:00:00Z", "2026-03-02T06:00:00Z").status_code == 409
    assert plan(api, "2026-03-09T01:00:00Z", "2026-03-09T18:00:00Z").status_code == 422
    clock(api, "in", "2026-03-02T01:12:00+00:00")  # 09:12 local: 12 minutes late
    clock(api, "out", "2026-03-02T09:05:00+00:00")
    clock(api, "in", "2026-03-04T00:58:00+00:00")  # 08:58 local: on time
    clock(api, "out", "2026-03-04T09:00:00+00:00")
    clock(api, "in", "2026-03-04T23:30:00+00:00")  # 07:30 Thursday local: 30 late
    at(api, "2026-03-05T02:30:00+00:00")  # Thursday 10:30 local, still on shift
    res = api.client.get("/api/v1/attendance/timesheet", params={"store": "store-a"},
                         headers=api.headers("manager_a"))  # fmt: skip
    assert res.status_code == 200, res.text
    sheet = res.json()
    assert (sheet["week"], sheet["timezone"]) == ("2026-03-02", "Asia/Shanghai")
    [staff] = sheet["people"]
    days = {d["date"]: d for d in staff["days"]}
    assert (days["2026-03-02"]["late_minutes"], days["2026-03-02"]["hours"]) == (12, 7.88)
    assert (days["2026-03-03"]["absent"], days["2026-03-03"]["hours"]) == (True, 0.0)
    assert (days["2026-03-04"]["late_minutes"], days["2026-03-04"]["hours"]) == (None, 8.03)
    thursday = days["2026-03-05"]
    assert (thursday["late_minutes"], thursday["absent"], thursday["hours"]) == (30, False, 3.0)
    assert thursday["worked"] == [["2026-03-04T23:30:00.000Z", None]]  # the API stays UTC
    assert (staff["late"], staff["absent"], staff["planned_hours"]) == (2, 1, 32.0)
    assert staff["hours"] == 18.91
    csv_res = api.client.get("/api/v1/attendance/timesheet",
                             params={"store": "store-a", "format": "csv"},
                             headers=api.headers("manager_a"))  # fmt: skip
    assert csv_res.headers["content-type"].startswith("text/csv")
    assert csv_res.text.splitlines() == [
        "username,date,planned,clock_in,clock_out,hours,late_minutes,absent",
        "staff_a,2026-03-02,09:00-17:00,09:12,17:05,7.88,12,",
        "staff_a,2026-03-03,09:00-17:00,,,0.00,,yes",
        "staff_a,2026-03-04,09:00-17:00,08:58,17:00,8.03,,",
        "staff_a,2026-03-05,07:00-15:00,07:30,,3.00,30,",
        "staff_a,total,32.00,,,18.91,2,1",
    ]
    staff_view = api.client.get("/api/v1/attendance/timesheet", params={"store": "store-a"},
                                headers=api.headers("staff_a"))  # fmt: skip
    assert staff_view.status_code == 403
    rota = api.client.get("/api/v1/attendance/rota", params={"store": "store-a"},
                          headers=api.headers("staff_a")).json()  # fmt: skip
    assert len(rota) == 4
    gone = api.client.delete(f"/api/v1/attendance/rota/{rota[1]['id']}",
                             headers=api.headers("manager_a"))  # fmt: skip
    assert gone.status_code == 204
