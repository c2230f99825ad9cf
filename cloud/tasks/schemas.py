"""Task bodies: strict, bounded, so bad input is a 422 and never reaches the database."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from cloud.body_times import BodyTime
from contracts.messages import UtcDateTime

StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
]
Kind = Literal["restock", "stocktake", "pick", "check_device", "custom"]
Action = Literal["assign", "start", "done", "cancel"]
StatusFilter = Literal["open", "closed", "in_progress", "done", "cancelled"]


DueTime = BodyTime


class TaskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"store": "demo", "kind": "check_device", "title": "Clean the scanner window"}
            ]
        },
    )

    store: StoreCode = Field(description="Store code the task belongs to")
    kind: Kind
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    note: str = Field(default="", max_length=2000)
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="What it is about: shelf lane (node/lane), node, SKU, order"
    )
    due_at: DueTime | None = None
    assignee: Username | None = Field(default=None, description="A staff member of the store")
    priority: Literal["normal", "high"] = "normal"


class TaskAction(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"assignee": "staff"}]}
    )

    assignee: Username | None = Field(
        default=None, description="For assign: the username, or null to unassign"
    )


class TaskOut(BaseModel):
    id: int
    store: str = Field(examples=["demo"])
    kind: str = Field(examples=["restock"])
    title: str
    note: str
    source: str | None = Field(examples=["shelf-1/a1"])
    alert_id: int | None
    status: str = Field(examples=["open"])
    priority: str
    assignee: str | None
    created_by: str | None
    created_at: UtcDateTime
    due_at: UtcDateTime | None
    started_at: UtcDateTime | None
    done_at: UtcDateTime | None
    done_by: str | None
    overdue: bool
    escalated_at: UtcDateTime | None


class PersonMetricsOut(BaseModel):
    username: str
    done: int
    done_on_time: int
    open: int
    overdue: int
    median_minutes_to_start: float | None
    median_minutes_to_done: float | None
