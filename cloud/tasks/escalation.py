"""Overdue tasks: one pass flags every open task past its due time (once) and mails the store's
managers and the assignee, with an audit row; the alerts' escalation job runs it beside the
alerts' own pass (``EscalationJob(extra=...)``) with the app's clock."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.alerts.escalation import store_managers
from cloud.audit.service import record
from cloud.auth.notifier import Mail, Notifier
from cloud.auth.service import user_by_username
from cloud.settings import CloudSettings
from cloud.stores import service as stores
from cloud.tasks import service

log = logging.getLogger(__name__)


def escalate_tasks(
    session: Session, *, now: datetime, settings: CloudSettings, notifier: Notifier
) -> list[int]:
    """Escalate the overdue tasks; returns the store ids whose tasks changed. The caller commits."""
    due = service.escalate_overdue(session, now)
    for task in due:
        people = store_managers(session, task.store_id)
        assignee = user_by_username(session, task.assignee) if task.assignee else None
        if assignee is not None and assignee not in people:
            people.append(assignee)
        code = stores.codes(session, {task.store_id}).get(task.store_id, str(task.store_id))
        link = f"{settings.public_url.rstrip('/')}/console/s/{code}/tasks"
        body = (f"Task {task.id} ({task.kind}) in store {code} was due at "
                f"{task.due_at:%Y-%m-%d %H:%M} UTC and is still {task.status}.\n"
                f"{task.title}\nAssigned to: {task.assignee or '-'}\n\n{link}\n")  # fmt: skip
        for person in people:
            if person.email:
                mail = Mail(
                    to=person.email, subject=f"[smartstore] overdue: {task.title}", body=body
                )
                notifier.send(mail, session, now)
        record(
            session, at=now, action="escalate", entity="task", entity_id=task.id,
            store_id=task.store_id, details={"to": [p.username for p in people]},
        )  # fmt: skip
        log.info("task %d overdue, escalated to %s", task.id, [p.username for p in people])
    session.flush()
    return sorted({t.store_id for t in due})
