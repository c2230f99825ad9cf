"""Restock tasks follow the shelf (SQLite and PostgreSQL): stock events go through the ingest
apply path as a node's would; the task opens with the lane's low/out alert, closes when the
shelf reports restocked, and closing either the task or the alert closes the other."""

from __future__ import annotations

from itertools import count
from typing import Any

from cloud.ingest.pipeline import Inbound, Pipeline
from tests.cloud.api.conftest import Api
from tests.cloud.factories import envelope, message

_seq = count(1)


def stock(api: Api, state: str, n: int, *, lane: str = "a1", minutes: float = 0) -> None:
    """One ``stock`` event from shelf-1 of store-a ``minutes`` after the clock's time (which
    moves there), applied by the ingest pipeline."""
    data = {"lane": lane, "sku": "MILK-1", "gtin": "06901234567892", "count": n,
            "grams": str(n * 1000), "state": state}  # fmt: skip
    api.clock.advance(minutes=minutes)
    env = envelope("stock", data, seq=next(_seq), store="store-a", node="shelf-1", ts=api.clock())
    pipe = Pipeline(api.sessions, clock=api.clock)
    pipe.process([Inbound(*message(env))])
    assert pipe.applied == 1


def tasks(api: Api, user: str, **params: Any) -> list[dict[str, Any]]:
    res = api.client.get("/api/v1/tasks", params=params, headers=api.headers(user))
    assert res.status_code == 200, res.text
    items: list[dict[str, Any]] = res.json()["items"]
    return items


def act(api: Api, user: str, task_id: int, action: str, **body: Any) -> Any:
    return api.client.post(
        f"/api/v1/tasks/{task_id}/{action}", json=body or None, headers=api.headers(user)
    )


def alerts(api: Api, status: str = "open") -> list[dict[str, Any]]:
    res = api.client.get(
        "/api/v1/alerts", params={"store": "store-a", "status": status},
        headers=api.headers("manager_a"),
    )  # fmt: skip
    items: list[dict[str, Any]] = res.json()["items"]
    return items


def test_restock_task_closes_when_the_shelf_reports_restocked(api: Api) -> None:
    stock(api, "low", 2)
    [task] = tasks(api, "staff_a", store="store-a", status="open")
    assert (task["kind"], task["source"], task["priority"]) == ("restock", "shelf-1/a1", "normal")
    assert task["title"] == "Milk 1 L"  # the product; the kind says what to do
    assert task["due_at"] == "2026-03-02T11:30:00.000Z"  # low stock: two hours
    stock(api, "out", 0, minutes=1)  # the same lane empties: same task, sooner and higher
    [task] = tasks(api, "staff_a", store="store-a", status="open")
    assert (task["priority"], task["due_at"]) == ("high", "2026-03-02T10:01:00.000Z")
    started = act(api, "staff_a", task["id"], "start")
    assert started.status_code == 200, started.text
    assert (started.json()["status"], started.json()["assignee"]) == ("in_progress", "staff_a")
    stock(api, "ok", 12, minutes=19)  # the shelf reports restocked
    done = api.client.get(f"/api/v1/tasks/{task['id']}", headers=api.headers("staff_a")).json()
    assert (done["status"], done["done_by"]) == ("done", "staff_a")
    assert done["done_at"] == "2026-03-02T09:50:00.000Z"
    assert alerts(api) == []
    assert tasks(api, "staff_a", status="open") == []
    stock(api, "out", 0, minutes=10)  # empty again: a new task, not the old one re-opened
    [again] = tasks(api, "staff_a", status="open")
    assert again["id"] != task["id"]
    assert again["assignee"] is None


def test_closing_the_task_resolves_the_alert_and_back(api: Api) -> None:
    stock(api, "out", 0, lane="b1")
    [task] = tasks(api, "manager_a", store="store-a", status="open")
    res = act(api, "staff_a", task["id"], "done")
    assert res.status_code == 200, res.text
    [alert] = alerts(api, "cleared")
    assert (alert["source"], alert["resolved_by"]) == ("shelf-1/b1", "staff_a")
    assert act(api, "staff_a", task["id"], "done").status_code == 409  # closed already
    stock(api, "low", 1, lane="c1", minutes=1)
    [other] = tasks(api, "manager_a", status="open")
    [open_alert] = alerts(api)
    res = api.client.post(
        f"/api/v1/alerts/{open_alert['id']}/resolve", headers=api.headers("manager_a")
    )
    assert res.status_code == 200, res.text
    closed = api.client.get(f"/api/v1/tasks/{other['id']}", headers=api.headers("staff_a"))
    assert (closed.json()["status"], closed.json()["done_by"]) == ("done", "manager_a")


def test_a_redelivered_stock_event_opens_one_task(api: Api) -> None:
    data = {"lane": "d1", "sku": "MILK-1", "gtin": "06901234567892", "count": 0,
            "grams": "0", "state": "out"}  # fmt: skip
    env = envelope("stock", data, seq=next(_seq), store="store-a", node="shelf-1", ts=api.clock())
    pipe = Pipeline(api.sessions, clock=api.clock)
    pipe.process([Inbound(*message(env))] * 3)
    pipe.process([Inbound(*message(env))])
    assert len(tasks(api, "manager_a", kind="restock")) == 1
