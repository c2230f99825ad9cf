"""Notice errors; the API and the console map them at their boundary."""

from __future__ import annotations

from cloud.exceptions import ValidationFailedError


class NoticeError(ValidationFailedError):
    """A notice that cannot be posted: empty text, bad window, or a store out of scope."""
