"""Dead-letter bodies; payloads are shown as text (invalid UTF-8 replaced) and base64."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime


class DeadLetterOut(BaseModel):
    id: int
    topic: str = Field(examples=["smartstore/v1/demo/kiosk-1/evt/sale"])
    payload_text: str = Field(description="Payload decoded as UTF-8 (errors replaced)")
    payload_base64: str
    reason: str = Field(examples=["store/node disagree with the topic"])
    status: str = Field(examples=["new"])
    attempts: int
    received_at: UtcDateTime
    replayed_at: UtcDateTime | None


class ReplayIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{}, {"topic": "smartstore/v1/demo/kiosk-1/evt/sale"}]},
    )

    payload: str | None = Field(
        default=None, max_length=1_000_000, description="Corrected payload (UTF-8 JSON)"
    )
    topic: str | None = Field(default=None, min_length=1, max_length=300)


class ReplayOut(BaseModel):
    dead_letter: DeadLetterOut
    ok: bool = Field(description="Accepted this time")
    applied: bool = Field(description="False when the event had already been applied")
    reason: str
