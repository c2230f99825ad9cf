"""Feedback from the e-receipt page, answered in the console (SQLite and PostgreSQL): the
shopper rates the visit on /r/{token}, the manager assigns and answers it on /console/feedback,
the shopper sees the reply on the same receipt page, and the manager closes it."""

from __future__ import annotations

import re

from cloud.feedback import service as feedback
from tests.cloud.feedback.helpers import receipt_of_member_sale
from tests.cloud.web.conftest import Console


def test_feedback_from_the_receipt_page_answered_in_the_console(console: Console) -> None:
    token, member_id = receipt_of_member_sale(console.sessions, console.clock, console.settings)
    page = console.client.get(f"/r/{token}")
    assert page.status_code == 200
    assert 'action="/r/' in page.text
    empty = console.client.post(f"/r/{token}/feedback", data={"message": "  "})
    assert empty.status_code == 422  # the form again, saying what is missing
    form = {"rating": "2", "message": "The oat milk was gone again."}
    sent = console.client.post(f"/r/{token}/feedback", data=form, follow_redirects=True)
    assert sent.status_code == 200
    assert 'id="feedback-thanks"' in sent.text
    again = console.client.post(f"/r/{token}/feedback", data=form, follow_redirects=True)
    assert again.status_code == 200  # a second send keeps the first, no duplicate
    with console.sessions() as s:
        rows, total = feedback.list_page(s, store_ids=None)
        assert total == 1
        row = rows[0]
        assert (row.rating, row.member_id, row.source, row.sale_ref) == (
            2,
            member_id,
            "receipt",
            "S-1",
        )
    csrf = console.login("manager_a")
    board = console.client.get("/console/feedback")
    assert f'id="feedback-{row.id}" data-status="new"' in board.text
    assert "The oat milk was gone again." in board.text
    url = f"/console/feedback/{row.id}"
    console.client.post(url, data={"action": "assign", "assignee": "staff_a", "csrf_token": csrf})
    reply = {
        "action": "answer",
        "response": "Sorry! We now refill at 8 and 16.",
        "csrf_token": csrf,
    }
    board = console.client.post(url, data=reply, follow_redirects=True)
    assert f'id="feedback-{row.id}" data-status="answered"' in board.text
    assert re.search(r'class="assignee">staff_a<', board.text)
    shopper = console.client.get(f"/r/{token}")
    assert "Sorry! We now refill at 8 and 16." in shopper.text
    closed = console.client.post(url, data={"action": "close", "csrf_token": csrf},
                                 follow_redirects=True)  # fmt: skip
    assert f'id="feedback-{row.id}"' not in closed.text
    late = console.client.post(url, data=reply, follow_redirects=False)
    assert late.headers["location"] == "/console/feedback?error=stale"  # closed is final


def test_the_console_page_is_for_managers_of_the_store(console: Console) -> None:
    token, _ = receipt_of_member_sale(console.sessions, console.clock, console.settings)
    console.client.post(f"/r/{token}/feedback", data={"message": "Nice"})
    with console.sessions() as s:
        feedback_id = feedback.list_page(s, store_ids=None)[0][0].id
    csrf = console.login("manager_b")  # the other store's manager
    board = console.client.get("/console/feedback")
    assert f'id="feedback-{feedback_id}"' not in board.text
    res = console.client.post(f"/console/feedback/{feedback_id}",
                              data={"action": "close", "csrf_token": csrf})  # fmt: skip
    assert res.status_code == 404
