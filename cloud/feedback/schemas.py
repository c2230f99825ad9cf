"""Feedback bodies: strict and bounded (anonymous callers write here)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.messages import UtcDateTime

StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
]
Message = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]
Action = Literal["assign", "answer", "close"]
StatusFilter = Literal["open", "new", "answered", "closed"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"store": "demo", "rating": 4, "message": "Quick checkout, thanks"}]
        },
    )

    message: Message
    rating: int | None = Field(default=None, ge=1, le=5, description="1 (poor) to 5 (great)")
    store: StoreCode | None = Field(default=None, description="Store code; omit for the chain")
    receipt: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = Field(
        default=None,
        description="The e-receipt token (/r/{token}): names the store, sale and member",
    )


class FeedbackAction(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"response": "Thank you, we restocked it."}]},
    )

    assignee: Username | None = Field(default=None, description="For assign; null unassigns")
    response: str = Field(default="", max_length=1000, description="The reply (answer, close)")


class FeedbackReceived(BaseModel):
    id: int
    status: str = Field(examples=["new"])


class FeedbackOut(BaseModel):
    id: int
    store: str | None = Field(examples=["demo"])
    member_id: int | None
    rating: int | None
    message: str
    source: str = Field(examples=["receipt"])
    sale_ref: str | None
    status: str = Field(examples=["new"])
    assignee: str | None
    response: str
    handled_by: str | None
    handled_at: UtcDateTime | None
    created_at: UtcDateTime


class RatingsOut(BaseModel):
    store: str | None = Field(examples=["demo"], description="null: chain-wide feedback")
    received: int
    rated: int
    average: float | None
    by_rating: dict[str, int] = Field(description="'1'..'5' → how many")
    by_status: dict[str, int]
