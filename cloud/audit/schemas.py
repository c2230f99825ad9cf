"""Audit log bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    actor: str = Field(examples=["admin"])
    actor_id: int | None
    action: str = Field(examples=["update"])
    entity: str = Field(examples=["product"])
    entity_id: str | None = Field(examples=["SKU-0001"])
    store_id: int | None
    details: dict[str, Any] = Field(examples=[{"price": "12.50"}])
