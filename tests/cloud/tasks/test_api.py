"""Tasks over REST (SQLite and PostgreSQL): create, assign, start, done, cancel; who may do
what; due times, overdue escalation and per-person metrics; bad input is a 4xx."""

from __future__ import annotations

from typing import Any

from cloud.db.session import transaction
from cloud.tasks import service as tasks
from tests.cloud.api.conftest import Api


def create(api: Api, user: str, **body: Any) -> Any:
    payload = {"store": "store-a", "kind": "custom", "title": "Wipe the scale"} | body
    return api.client.post("/api/v1/tasks", json=payload, headers=api.headers(user))


def act(api: Api, user: str, task_id: int, action: str, **body: Any) -> Any:
    return api.client.post(
        f"/api/v1/tasks/{task_id}/{action}", json=body or None, headers=api.headers(user)
    )


def test_assign_start_done_and_who_may(api: Api) -> None:
    res = create(api, "manager_a", kind="stocktake", title="Count the dairy fridge",
                 due_at="2026-03-02T12:00:00Z", assignee="staff_a")  # fmt: skip
    assert res.status_code == 201, res.text
    task = res.json()
    assert (task["status"], task["assignee"], task["created_by"]) == (
        "open",
        "staff_a",
        "manager_a",
    )
    assert act(api, "manager_b", task["id"], "start").status_code == 403  # another store
    other = create(api, "manager_a", title="Check the door", assignee="manager_a").json()
    taken = act(api, "staff_a", other["id"], "start")
    assert taken.status_code == 409  # someone else's task
    assert "manager_a" in taken.json()["detail"]
    started = act(api, "staff_a", task["id"], "start").json()
    assert (started["status"], started["started_at"]) == ("in_progress", "2026-03-02T09:30:00.000Z")
    assert act(api, "staff_a", task["id"], "start").status_code == 409  # started already
    assert act(api, "staff_a", task["id"], "cancel").status_code == 403  # managers cancel
    assert act(api, "staff_a", other["id"], "assign", assignee="staff_a").status_code == 403
    moved = act(api, "manager_a", other["id"], "assign", assignee="staff_a")
    assert moved.json()["assignee"] == "staff_a"
    assert act(api, "manager_a", other["id"], "assign", assignee="staff_b").status_code == 422
    api.clock.advance(minutes=45)
    done = act(api, "staff_a", task["id"], "done").json()
    assert (done["status"], done["done_by"], done["overdue"]) == ("done", "staff_a", False)
    cancelled = act(api, "manager_a", other["id"], "cancel").json()
    assert cancelled["status"] == "cancelled"
    mine = api.client.get("/api/v1/tasks", params={"mine": "true", "status": "closed"},
                          headers=api.headers("staff_a")).json()  # fmt: skip
    assert [t["id"] for t in mine["items"]] == [other["id"], task["id"]]


def test_overdue_tasks_escalate_once_and_metrics_per_person(api: Api) -> None:
    late = create(api, "manager_a", title="Check kiosk-2", kind="check_device",
                  due_at="2026-03-02T10:00:00Z", assignee="staff_a").json()  # fmt: skip
    quick = create(api, "staff_a", title="Face the shelves", due_at="2026-03-02T11:00:00Z",
                   assignee="staff_a").json()  # fmt: skip
    act(api, "staff_a", quick["id"], "start")
    api.clock.advance(minutes=20)
    act(api, "staff_a", quick["id"], "done")
    api.clock.advance(minutes=40)  # 10:30: the device check is half an hour overdue
    with transaction(api.sessions) as s:
        assert [t.id for t in tasks.escalate_overdue(s, api.clock())] == [late["id"]]
    with transaction(api.sessions) as s:
        assert tasks.escalate_overdue(s, api.clock()) == []  # once
    row = api.client.get(f"/api/v1/tasks/{late['id']}", headers=api.headers("staff_a")).json()
    assert (row["overdue"], row["priority"]) == (True, "high")
    assert row["escalated_at"] == "2026-03-02T10:30:00.000Z"
    first = api.client.get("/api/v1/tasks", params={"status": "open"},
                           headers=api.headers("manager_a")).json()["items"][0]  # fmt: skip
    assert first["id"] == late["id"]  # escalated work first
    res = api.client.get("/api/v1/tasks/metrics", params={"store": "store-a"},
                         headers=api.headers("manager_a"))  # fmt: skip
    assert res.status_code == 200, res.text
    assert res.json() == [
        {"username": "staff_a", "done": 1, "done_on_time": 1, "open": 1, "overdue": 1,
         "median_minutes_to_start": 0.0, "median_minutes_to_done": 20.0},
    ]  # fmt: skip
    staff = api.client.get("/api/v1/tasks/metrics", params={"store": "store-a"},
                           headers=api.headers("staff_a"))  # fmt: skip
    assert staff.status_code == 403


def test_bad_input_is_a_clear_4xx(api: Api) -> None:
    for body in (
        {"kind": "sweep"}, {"title": ""}, {"title": "x" * 201}, {"due_at": 1700000000},
        {"due_at": "3026-01-01T00:00:00Z"}, {"due_at": "2026-03-02T10:00:00"},
        {"priority": "urgent"}, {"store": 5}, {"extra": 1},
    ):  # fmt: skip
        res = create(api, "manager_a", **body)
        assert res.status_code == 422, (body, res.text)
    assert create(api, "staff_a", assignee="manager_a").status_code == 403
    assert create(api, "cashier_a").status_code == 403
    assert create(api, "manager_a", assignee="ghost").status_code == 422
    assert act(api, "manager_a", 2**31, "done").status_code == 422
    assert act(api, "manager_a", 999, "done").status_code == 404
    task = create(api, "manager_a").json()
    assert act(api, "manager_a", task["id"], "explode").status_code == 422
    params = {"store": "store-a", "from": "2026-03-05", "to": "2026-03-01"}
    res = api.client.get("/api/v1/tasks/metrics", params=params, headers=api.headers("manager_a"))
    assert res.status_code == 422
