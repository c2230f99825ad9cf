"""Overdue tasks through the escalation job with a fake clock (SQLite and PostgreSQL): mailed
to the store's managers and the assignee once, audited, the store reported as changed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cloud.alerts.escalation import EscalationJob
from cloud.audit.models import AuditEntry
from cloud.auth.models import OutboxMail
from cloud.auth.notifier import OutboxNotifier
from cloud.db.session import transaction
from cloud.tasks import service as tasks
from cloud.tasks.escalation import escalate_tasks
from tests.cloud.api.conftest import Api
from tests.cloud.api.helpers import store_id


def test_an_overdue_task_goes_to_the_managers_and_its_assignee_once(api: Api) -> None:
    with transaction(api.sessions) as s:
        sid = store_id(s, "store-a")
        task = tasks.create(
            s, store_id=sid, kind="pick", title="Pick order 7", now=api.clock(), by="manager_a",
            due_at=api.clock() + timedelta(minutes=15), assignee="staff_a",
        )  # fmt: skip
        task_id = task.id
    ctx = api.app.state.ctx
    job = EscalationJob(api.sessions, ctx.settings, OutboxNotifier(), api.clock,
                        extra=(escalate_tasks,))  # fmt: skip
    assert job.run_once() == []
    api.clock.advance(minutes=16)
    assert job.run_once() == [sid]
    assert job.run_once() == []  # once only
    with api.sessions() as s:
        mails = s.scalars(select(OutboxMail).order_by(OutboxMail.to)).all()
        assert [m.to for m in mails] == ["manager_a@example.com", "staff_a@example.com"]
        assert "Pick order 7" in mails[0].body
        assert "/console/s/store-a/tasks" in mails[0].body
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "task")).one()
        assert (entry.action, entry.entity_id) == ("escalate", str(task_id))
