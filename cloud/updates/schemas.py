"""Bodies of the update API: releases, rollouts with their progress, rollout orders."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from contracts.bundles import VERSION_RE
from contracts.messages import UtcDateTime

Ring = Literal["canary", "store", "all"]


class ReleaseOut(BaseModel):
    version: str = Field(examples=["1.4.2"])
    node_kinds: list[str]
    min_version: str | None
    sha256: str
    size: int
    published_at: UtcDateTime
    published_by: str


class RolloutCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, StringConstraints(pattern=VERSION_RE, max_length=32)] = Field(
        examples=["1.4.2"]
    )
    ring: Ring = Field(default="canary", description="canary ⊂ store ⊂ all")
    percent: StrictInt = Field(default=100, ge=1, le=100, description="Share of the ring")
    halt_above: StrictInt = Field(
        default=20, ge=0, le=100, description="Halt when a ring's failed % passes this"
    )


class RingOut(BaseModel):
    ring: str
    targets: int
    finished: int
    failed: int


class FailureOut(BaseModel):
    store: str
    node: str
    status: str
    reason: str | None


class RolloutOut(BaseModel):
    id: int
    version: str
    ring: str
    percent: int
    status: str
    halt_above: int
    halt_reason: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    created_by: str
    statuses: dict[str, int] = Field(description="Target nodes per status")
    rings: list[RingOut]
    failures: list[FailureOut]
