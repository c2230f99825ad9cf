"""Escalation: an alert nobody acknowledged within ``settings.alert_escalate_minutes`` goes to
the managers of its store (a mail through the auth notifier, an audit row, a flag on the alert).

``escalate`` is the whole rule and takes ``now``; :class:`EscalationJob` is the thin periodic
shell the console's lifespan runs with the app's (injectable) clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service
from cloud.alerts.models import Alert
from cloud.audit.service import record
from cloud.auth.models import Role, User, UserStore
from cloud.auth.notifier import Mail, Notifier
from cloud.settings import CloudSettings
from cloud.stores.models import Store

log = logging.getLogger(__name__)


class Pass(Protocol):
    """Another escalation pass the job runs each tick; returns the store ids it changed."""

    def __call__(
        self, session: Session, *, now: datetime, settings: CloudSettings, notifier: Notifier
    ) -> list[int]: ...


def store_managers(session: Session, store_id: int) -> list[User]:
    stmt = (
        select(User)
        .join(UserStore, UserStore.user_id == User.id)
        .where(UserStore.store_id == store_id, User.role == Role.MANAGER.value)
        .where(User.active.is_(True))
        .order_by(User.username)
    )
    return list(session.scalars(stmt))


def escalate(
    session: Session, *, now: datetime, settings: CloudSettings, notifier: Notifier
) -> list[Alert]:
    """Escalate every due alert once; the caller commits."""
    due = service.escalate_due(session, now=now, after_minutes=settings.alert_escalate_minutes)
    for alert in due:
        managers = store_managers(session, alert.store_id)
        store = session.get(Store, alert.store_id)
        code = store.code if store is not None else str(alert.store_id)
        alert.details = {**alert.details, "escalated_to": [m.username for m in managers]}
        link = f"{settings.public_url.rstrip('/')}/console/s/{code}/alerts"
        for manager in managers:
            if not manager.email:
                continue
            body = (
                f"Alert {alert.id} ({alert.type}, {alert.source}) in store {code} has not been "
                f"acknowledged for {settings.alert_escalate_minutes:g} minutes.\n"
                f"{alert.message}\n\n{link}\n"
            )
            notifier.send(
                Mail(to=manager.email, subject=f"[smartstore] escalated: {alert.type}", body=body),
                session,
                now,
            )
        record(
            session,
            at=now,
            action="escalate",
            entity="alert",
            entity_id=alert.id,
            store_id=alert.store_id,
            details={"to": [m.username for m in managers]},
        )
        log.info("alert %d escalated to %s", alert.id, [m.username for m in managers])
    session.flush()
    return due


class EscalationJob:
    """Runs :func:`escalate` every ``interval_s`` in its own thread; start/stop symmetrical."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: CloudSettings,
        notifier: Notifier,
        clock: Callable[[], datetime],
        *,
        interval_s: float = 30.0,
        on_escalated: Callable[[list[int]], None] | None = None,
        extra: Sequence[Pass] = (),
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier
        self._clock = clock
        self._interval_s = interval_s
        self._on_escalated = on_escalated
        self._extra = tuple(extra)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[int]:
        """One pass; returns the store ids whose alerts changed."""
        with self._sessions() as session:
            due = escalate(
                session, now=self._clock(), settings=self._settings, notifier=self._notifier
            )
            changed = {a.store_id for a in due}
            for escalate_more in self._extra:  # e.g. overdue tasks, in the same transaction
                changed.update(
                    escalate_more(
                        session, now=self._clock(), settings=self._settings,
                        notifier=self._notifier,
                    )
                )  # fmt: skip
            stores = sorted(changed)
            session.commit()
        if stores and self._on_escalated is not None:
            self._on_escalated(stores)
        return stores

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="alert-escalation", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.run_once()
            except SQLAlchemyError as exc:  # database away: try again next tick
                log.warning("escalation pass skipped: %s", exc)
            except Exception:  # never let one bad pass end the loop
                log.exception("escalation pass failed")
