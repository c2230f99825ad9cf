"""Device bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.messages import UtcDateTime

NodeId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    store: str = Field(examples=["demo"])
    node: str = Field(examples=["kiosk-1"])
    kind: str = Field(examples=["kiosk"])
    name: str
    online: bool
    boot: int
    last_seen: UtcDateTime | None
    state_changed_at: UtcDateTime | None
    software_version: str | None
    config_version: str | None
    outbox_depth: int | None
    registered_at: UtcDateTime


class DeviceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"node": "kiosk-3", "kind": "kiosk", "name": "Exit 2"}]},
    )

    node: NodeId
    kind: Literal["kiosk", "shelf", "other"] = "kiosk"
    name: str = Field(default="", max_length=200)
