"""Alert bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime

AlertStatusFilter = Literal[
    "open", "cleared", "active_unack", "active_ack", "cleared_unack", "cleared_ack"
]


class AlertOut(BaseModel):
    id: int
    store: str = Field(examples=["demo"])
    source: str = Field(examples=["shelf-1/lane-3"])
    type: str = Field(examples=["out_of_stock"])
    severity: str
    status: str = Field(examples=["active_unack"])
    message: str
    details: dict[str, Any]
    assignee: str | None
    occurrences: int
    opened_at: UtcDateTime
    last_seen_at: UtcDateTime
    acknowledged_at: UtcDateTime | None
    acknowledged_by: str | None
    resolved_at: UtcDateTime | None
    resolved_by: str | None
    escalated: bool


class AlertAssign(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"assignee": "staff"}]}
    )

    assignee: str | None = Field(max_length=64, description="Username, or null to unassign")
