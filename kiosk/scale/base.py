"""The scale Protocol: one blocking ``read`` per sample, in grams, ``None`` for a bad read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class Scale(Protocol):
    def read(self, timeout: float) -> Decimal | None:
        """Next sample in grams; ``None`` when nothing valid arrived within ``timeout``."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ScaleSetup:
    """What a ``scale:`` config builds."""

    scale: Scale | None
    """None: no bagging scale (``type: none``), no weight check."""
    bag: Callable[[Decimal], None] | None = None
    """The demo shopper's hand on a fake scale (``auto_bag``): places grams a moment later."""
