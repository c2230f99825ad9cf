"""The scale Protocol: one blocking ``read`` per sample, in grams, ``None`` for a bad read."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol


class Scale(Protocol):
    def read(self, timeout: float) -> Decimal | None:
        """Next sample in grams; ``None`` when nothing valid arrived within ``timeout``."""
        ...

    def close(self) -> None: ...
