"""Attendance bodies: strict, so a number where a store code belongs is a 422."""

from __future__ import annotations

from datetime import date as date_
from typing import Annotated

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


class ClockIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"store": "demo"}]}
    )

    store: StoreCode = Field(description="Store code the shift is worked in")


class ShiftOut(BaseModel):
    id: int
    store: str = Field(examples=["demo"])
    username: str = Field(examples=["staff"])
    clock_in_at: UtcDateTime
    clock_out_at: UtcDateTime | None


Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
]


PlanTime = BodyTime


class RotaIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "store": "demo",
                    "username": "staff",
                    "starts_at": "2026-03-02T01:00:00Z",
                    "ends_at": "2026-03-02T09:00:00Z",
                }
            ]
        },
    )

    store: StoreCode
    username: Username = Field(description="A staff member or manager of the store")
    starts_at: PlanTime
    ends_at: PlanTime = Field(description="After starts_at, at most 16 hours later")


class RotaOut(BaseModel):
    id: int
    store: str = Field(examples=["demo"])
    username: str
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    created_by: str


class DayOut(BaseModel):
    date: date_
    planned: list[tuple[UtcDateTime, UtcDateTime]]
    worked: list[tuple[UtcDateTime, UtcDateTime | None]]
    hours: float
    late_minutes: int | None
    absent: bool


class PersonWeekOut(BaseModel):
    username: str
    hours: float
    planned_hours: float
    late: int
    absent: int
    days: list[DayOut]


class TimesheetOut(BaseModel):
    store: str = Field(examples=["demo"])
    timezone: str = Field(examples=["Asia/Shanghai"])
    week: date_ = Field(description="The Monday the week starts on (local)")
    people: list[PersonWeekOut]
