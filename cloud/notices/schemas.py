"""Notice bodies for /api/v1/notices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime


class NoticeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"store": "demo", "title": "Fire drill at 15:00", "level": "important"}]
        },
    )

    store: str | None = Field(
        default=None, max_length=32, description="Store code; omit for every store (admin)"
    )
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(default="", max_length=2000)
    level: Literal["info", "important"] = "info"
    expires_at: UtcDateTime | None = None


class NoticeOut(BaseModel):
    id: int
    store: str | None
    title: str
    body: str
    level: str
    author: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    withdrawn: bool
