"""Feedback over REST (SQLite and PostgreSQL): anonymous and member (by receipt) feedback in,
managers list, assign, answer and close it, ratings roll up per store; bad input is a 4xx."""

from __future__ import annotations

from typing import Any

from tests.cloud.api.conftest import Api
from tests.cloud.feedback.helpers import receipt_of_member_sale


def leave(api: Api, **body: Any) -> Any:
    return api.client.post("/api/v1/feedback", json=body)  # no sign-in


def test_anonymous_and_member_feedback_handled_and_rated(api: Api) -> None:
    settings = api.app.state.ctx.settings
    token, member_id = receipt_of_member_sale(api.sessions, api.clock, settings)
    assert leave(api, message="Clean and quick", rating=5, store="store-a").status_code == 201
    assert leave(api, message="No bags at kiosk 2", rating=2, receipt=token).status_code == 201
    assert leave(api, message="Again", receipt=token).status_code == 409  # one per receipt
    assert leave(api, message="Love the app").status_code == 201  # chain-wide
    manager = api.headers("manager_a")
    listed = api.client.get("/api/v1/feedback", params={"status": "new"}, headers=manager).json()
    assert listed["total"] == 2  # the chain-wide one is the admin's
    by_receipt = next(f for f in listed["items"] if f["source"] == "receipt")
    assert (by_receipt["member_id"], by_receipt["sale_ref"]) == (member_id, "S-1")
    url = f"/api/v1/feedback/{by_receipt['id']}"
    res = api.client.post(f"{url}/assign", json={"assignee": "staff_a"}, headers=manager)
    assert res.json()["assignee"] == "staff_a"
    assert api.client.post(f"{url}/answer", json={}, headers=manager).status_code == 409
    res = api.client.post(f"{url}/answer", json={"response": "Bags are back."}, headers=manager)
    assert (res.json()["status"], res.json()["handled_by"]) == ("answered", "manager_a")
    assert api.client.post(f"{url}/close", json={}, headers=manager).json()["status"] == "closed"
    assert api.client.post(f"{url}/close", json={}, headers=manager).status_code == 409
    admin = api.client.get("/api/v1/feedback", headers=api.headers("admin")).json()
    assert admin["total"] == 3
    ratings = api.client.get(
        "/api/v1/feedback/ratings", params={"store": "store-a"}, headers=manager
    )
    assert ratings.json() == [
        {"store": "store-a", "received": 2, "rated": 2, "average": 3.5,
         "by_rating": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
         "by_status": {"new": 1, "closed": 1}},
    ]  # fmt: skip


def test_scope_and_bad_input(api: Api) -> None:
    for body in (
        {}, {"message": ""}, {"message": "x" * 1001}, {"message": "ok", "rating": 6},
        {"message": "ok", "rating": "5"}, {"message": "ok", "store": 3}, {"message": "ok", "x": 1},
    ):  # fmt: skip
        assert leave(api, **body).status_code == 422, body
    assert leave(api, message="ok", store="nowhere").status_code == 404
    assert leave(api, message="ok", receipt="forged.token").status_code == 404
    leave(api, message="In store b", store="store-b")
    staff = api.client.get("/api/v1/feedback", headers=api.headers("staff_a"))
    assert staff.status_code == 403
    mine = api.client.get("/api/v1/feedback", headers=api.headers("manager_a")).json()
    assert mine["total"] == 0  # store-b's is not store-a's manager's
    other = api.client.get("/api/v1/feedback", headers=api.headers("manager_b")).json()
    url = f"/api/v1/feedback/{other['items'][0]['id']}"
    res = api.client.post(f"{url}/close", json={}, headers=api.headers("manager_a"))
    assert res.status_code == 403
    res = api.client.post(f"{url}/assign", json={"assignee": "staff_a"},
                          headers=api.headers("manager_b"))  # fmt: skip
    assert res.status_code == 422  # staff of another store


def test_ratings_roll_up_into_the_reports(api: Api) -> None:
    for rating in (5, 4, None):
        leave(api, message="Visit", rating=rating, store="store-a")
    leave(api, message="Visit", rating=1, store="store-b")
    manager = api.headers("manager_a")
    res = api.client.get("/api/v1/reports/feedback", params={"store": "store-a"}, headers=manager)
    assert res.status_code == 200, res.text
    row = res.json()["rows"][0]
    assert (row["store"], row["received"], row["rated"], row["average_rating"]) == (
        "store-a", 3, 2, 4.5
    )  # fmt: skip
    assert (row["rating_5"], row["rating_4"], row["rating_1"], row["new"]) == (1, 1, 0, 3)
    every = api.client.get("/api/v1/reports/feedback", headers=api.headers("admin")).json()
    assert [r["store"] for r in every["rows"]] == ["store-a", "store-b"]
    for fmt in ("csv", "svg", "html"):
        out = api.client.get("/api/v1/reports/feedback", params={"format": fmt}, headers=manager)
        assert out.status_code == 200, (fmt, out.text[:200])
    csv_text = api.client.get(
        "/api/v1/reports/feedback", params={"format": "csv"}, headers=manager
    ).text
    assert csv_text.splitlines()[1].startswith("store-a,3,2,4.5,")
