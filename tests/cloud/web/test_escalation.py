"""Escalation with a fake clock: unacknowledged alerts go to the store's managers once."""

from __future__ import annotations

from sqlalchemy import select

from cloud.alerts import service as alerts
from cloud.alerts.escalation import EscalationJob
from cloud.alerts.models import Alert
from cloud.auth.models import OutboxMail
from cloud.auth.notifier import OutboxNotifier
from tests.cloud.api.helpers import store_id
from tests.cloud.web.conftest import Console


def test_unacknowledged_alert_escalates_to_the_manager_after_the_delay(console: Console) -> None:
    with console.sessions() as s, s.begin():
        sid = store_id(s, "store-a")
        late, _ = alerts.open_alert(
            s, store_id=sid, source="shelf-1/lane-1", alert_type="out_of_stock", now=console.clock()
        )
        acked, _ = alerts.open_alert(
            s, store_id=sid, source="shelf-1/lane-2", alert_type="out_of_stock", now=console.clock()
        )
        alerts.acknowledge(s, acked.id, by="staff_a", now=console.clock())
        ids = late.id, acked.id
    notified: list[list[int]] = []
    job = EscalationJob(
        console.sessions,
        console.settings,
        OutboxNotifier(),
        console.clock,
        on_escalated=notified.append,
    )
    console.clock.advance(minutes=console.settings.alert_escalate_minutes - 1)
    assert job.run_once() == []
    console.clock.advance(minutes=2)
    assert job.run_once() == [sid]
    assert notified == [[sid]]
    assert job.run_once() == []  # once only
    with console.sessions() as s:
        late_row, acked_row = s.get(Alert, ids[0]), s.get(Alert, ids[1])
        assert late_row is not None
        assert acked_row is not None
        assert late_row.escalated
        assert late_row.details["escalated_to"] == ["manager_a"]
        assert not acked_row.escalated
        mails = s.scalars(select(OutboxMail)).all()
        assert [m.to for m in mails] == ["manager_a@example.com"]
        assert "shelf-1/lane-1" in mails[0].body


def test_escalated_alert_is_flagged_on_the_staff_page(console: Console) -> None:
    with console.sessions() as s, s.begin():
        alert, _ = alerts.open_alert(
            s,
            store_id=store_id(s, "store-a"),
            source="kiosk-1",
            alert_type="kiosk_intervention",
            now=console.clock(),
        )
    console.clock.advance(minutes=console.settings.alert_escalate_minutes + 1)
    EscalationJob(console.sessions, console.settings, OutboxNotifier(), console.clock).run_once()
    console.login("staff_a")
    page = console.client.get("/console/s/store-a/alerts")
    card = page.text.split(f'id="alert-{alert.id}"')[1].split("</li>")[0]
    assert "Escalated" in card
