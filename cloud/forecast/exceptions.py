"""Forecast errors."""

from __future__ import annotations

from cloud.exceptions import ValidationFailedError


class ForecastError(ValidationFailedError):
    """A forecast request the method cannot serve (e.g. a horizon out of range)."""
