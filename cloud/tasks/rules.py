"""The task rules with no I/O: which action moves a task where, default due times, and the
per-person figures (so the API, the console and the tests share one definition)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Protocol

OPEN = ("open", "in_progress")
ACTIONS = ("assign", "start", "done", "cancel")

RESTOCK_DUE = {"out_of_stock": timedelta(minutes=30), "low_stock": timedelta(hours=2)}
"""An empty lane is a lost sale every minute; a low one can wait for the next round."""


class TaskError(Exception):
    """An action the task's state does not allow (the shell answers 409)."""


def next_status(status: str, action: str) -> str:
    """The status after ``action``; assign keeps it. Raises TaskError when not allowed."""
    if status not in OPEN:
        raise TaskError(f"the task is {status} already")
    if action == "start":
        if status == "in_progress":
            raise TaskError("the task is started already")
        return "in_progress"
    return {"assign": status, "done": "done", "cancel": "cancelled"}[action]


def restock_due(alerts: Iterable[tuple[str, datetime]]) -> datetime:
    """The earliest due time of the lane's open (type, opened at) alerts: each alert's wait
    runs from when it opened, so an empty lane is due 30 minutes after it emptied."""
    return min(at + RESTOCK_DUE.get(kind, RESTOCK_DUE["low_stock"]) for kind, at in alerts)


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    return status in OPEN and due_at is not None and due_at < now


class TaskFacts(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def done_by(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def done_at(self) -> datetime | None: ...


@dataclass
class PersonMetrics:
    username: str
    done: int = 0
    done_on_time: int = 0
    open: int = 0
    overdue: int = 0
    median_minutes_to_done: float | None = None
    median_minutes_to_start: float | None = None


def person_metrics(tasks: Iterable[TaskFacts], now: datetime) -> list[PersonMetrics]:
    """Per person: tasks done (by whoever marked them done), of which on time, open tasks
    assigned to them and of those overdue, and the median minutes from creation to start and
    to done. Sorted by most done, then name."""
    people: dict[str, PersonMetrics] = {}
    to_done: dict[str, list[float]] = {}
    to_start: dict[str, list[float]] = {}
    for task in tasks:
        if task.status == "done" and task.done_by and task.done_at is not None:
            row = people.setdefault(task.done_by, PersonMetrics(task.done_by))
            row.done += 1
            row.done_on_time += task.due_at is None or task.done_at <= task.due_at
            minutes = (task.done_at - task.created_at).total_seconds() / 60
            to_done.setdefault(task.done_by, []).append(minutes)
            if task.started_at is not None:
                started = (task.started_at - task.created_at).total_seconds() / 60
                to_start.setdefault(task.done_by, []).append(started)
        elif task.status in OPEN and task.assignee:
            row = people.setdefault(task.assignee, PersonMetrics(task.assignee))
            row.open += 1
            row.overdue += is_overdue(task.status, task.due_at, now)
    for name, row in people.items():
        if name in to_done:
            row.median_minutes_to_done = round(median(to_done[name]), 1)
        if name in to_start:
            row.median_minutes_to_start = round(median(to_start[name]), 1)
    return sorted(people.values(), key=lambda r: (-r.done, r.username))
