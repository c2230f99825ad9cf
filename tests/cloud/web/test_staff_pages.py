"""The tasks and attendance pages (SQLite and PostgreSQL): staff clock in from the console and
only then get the alerts view's pushes; a task is created with a local due time, taken,
started and done by staff; managers plan the rota and download the timesheet."""

from __future__ import annotations

import re

from tests.cloud.web.conftest import Console


def post(console: Console, url: str, **form: str) -> str:
    res = console.client.post(url, data=form, follow_redirects=True)
    assert res.status_code == 200, res.text[:300]
    return str(res.text)


def test_staff_clock_in_from_the_console_and_only_then_get_pushes(console: Console) -> None:
    csrf = console.login("staff_a")
    alerts = console.client.get("/console/s/store-a/alerts").text
    assert 'data-push="off"' in alerts
    assert 'id="push-off"' in alerts
    page = console.client.get("/console/s/store-a/attendance").text
    assert 'id="clock-in"' in page
    assert 'id="timesheet"' not in page  # the timesheet is the managers'
    page = post(console, "/console/s/store-a/attendance/clock", action="in", csrf_token=csrf)
    assert 'id="clocked-in"' in page
    assert re.search(r'<ul id="on-shift"><li>staff_a</li>', page)
    assert "2026-03-02 17:30:00 CST" in page  # 09:30 UTC in Shanghai
    alerts = console.client.get("/console/s/store-a/alerts").text
    assert 'data-push="on"' in alerts
    assert 'id="push-off"' not in alerts
    again = console.client.post("/console/s/store-a/attendance/clock",
                                data={"action": "in", "csrf_token": csrf},
                                follow_redirects=False)  # fmt: skip
    assert again.headers["location"].endswith("?error=clock")
    console.clock.advance(hours=8)
    page = post(console, "/console/s/store-a/attendance/clock", action="out", csrf_token=csrf)
    assert 'id="clocked-out"' in page
    res = console.client.post("/console/s/store-a/attendance/rota",
                              data={"username": "staff_a", "day": "2026-03-02", "start": "09:00",
                                    "end": "17:00", "csrf_token": csrf})  # fmt: skip
    assert res.status_code == 403
    assert console.client.get("/console/s/store-b/attendance").status_code == 403


def test_manager_plans_the_rota_and_downloads_the_timesheet(console: Console) -> None:
    csrf = console.login("manager_a")
    page = post(console, "/console/s/store-a/attendance/rota", username="staff_a",
                day="2026-03-02", start="22:00", end="06:00", csrf_token=csrf)  # fmt: skip
    assert re.search(r"staff_a: 2026-03-02 22:00:00 CST – 06:00", page)  # ends the next day
    bad = post(console, "/console/s/store-a/attendance/rota", username="staff_b",
               day="2026-03-02", start="09:00", end="17:00", csrf_token=csrf)  # fmt: skip
    assert 'id="att-error"' in bad  # staff of another store
    sheet = console.client.get("/console/s/store-a/attendance?week=2026-03-04").text
    assert 'id="ts-staff_a"' in sheet
    csv = console.client.get("/console/s/store-a/attendance/timesheet.csv?week=2026-03-02")
    assert csv.text.splitlines()[1] == "staff_a,2026-03-02,22:00-06:00,,,0.00,,"
    assert "timesheet-store-a-2026-03-02.csv" in csv.headers["content-disposition"]


def test_a_task_from_the_console_taken_started_and_done(console: Console) -> None:
    csrf = console.login("manager_a")
    page = post(console, "/console/s/store-a/tasks", kind="stocktake", title="Count the fridge",
                due="2026-03-02T18:00", csrf_token=csrf)  # fmt: skip
    found = re.search(r'id="task-(\d+)" data-status="open" data-kind="stocktake"', page)
    assert found is not None, page[-2000:]
    task = found.group(1)
    assert "2026-03-02 18:00:00 CST" in page  # the due time was typed in the store's zone
    assert 'id="task-metrics"' in page
    bad = post(console, "/console/s/store-a/tasks", kind="stocktake", title="x",
               due="tomorrow", csrf_token=csrf)  # fmt: skip
    assert 'id="task-error"' in bad
    staff_csrf = console.login("staff_a")
    page = console.client.get("/console/s/store-a/tasks").text
    assert 'id="no-my-tasks"' in page
    assert 'id="task-metrics"' not in page
    base = f"/console/s/store-a/tasks/{task}"
    page = post(console, f"{base}/assign", assignee="staff_a", csrf_token=staff_csrf)
    assert re.search(rf'<ul class="alerts" id="my-tasks">\s*<li [^>]*id="task-{task}"', page)
    page = post(console, f"{base}/start", csrf_token=staff_csrf)
    assert f'id="task-{task}" data-status="in_progress"' in page
    cancel = console.client.post(f"{base}/cancel", data={"csrf_token": staff_csrf})
    assert cancel.status_code == 403  # managers cancel
    page = post(console, f"{base}/done", csrf_token=staff_csrf)
    assert f'id="task-{task}"' not in page  # no longer open
    done = console.client.get("/console/s/store-a/tasks?show=all").text
    assert f'id="task-{task}" data-status="done"' in done
    late = console.client.post(
        f"{base}/done", data={"csrf_token": staff_csrf}, follow_redirects=False
    )
    assert late.headers["location"].endswith("?error=stale")
