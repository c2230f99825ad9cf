"""Instants in JSON request bodies: RFC 3339 text only (pydantic would read a bare number as a
Unix time), between the years 2000 and 2100, stored as UTC. Shared by every schema that takes
a planned or due time, so the rule and its message are written once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from contracts.messages import UtcDateTime


def _text_only(value: object) -> object:
    """JSON carries a time as RFC 3339 text; a number (a Unix time to pydantic) is refused."""
    if not isinstance(value, str | datetime):
        raise ValueError("expected an RFC 3339 date-time, e.g. 2026-03-02T09:30:00Z")
    return value


def _plausible(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("a time between the years 2000 and 2100")
    return value


BodyTime = Annotated[
    UtcDateTime, BeforeValidator(_text_only), AfterValidator(_plausible), Field(strict=False)
]
"""RFC 3339 text (JSON has no time type, so not strict), 2000 to 2100."""
