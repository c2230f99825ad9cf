"""Cached device registry: (store, node) → (store id, device id), refreshed on a miss.

A miss re-reads the table (rate-limited), so a device registered while ingest runs is
seen at once, and replay after registering a device works.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from cloud.devices import service as devices


class DeviceRegistry:
    def __init__(
        self, min_refresh_s: float = 1.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._known: dict[tuple[str, str], tuple[int, int]] = {}
        self._loaded_at: float | None = None
        self._min_refresh_s = min_refresh_s
        self._monotonic = monotonic

    def lookup(self, session: Session, store: str, node: str) -> tuple[int, int] | None:
        key = (store, node)
        found = self._known.get(key)
        if found is not None:
            return found
        now = self._monotonic()
        if self._loaded_at is None or now - self._loaded_at >= self._min_refresh_s:
            self.refresh(session)
        return self._known.get(key)

    def refresh(self, session: Session) -> None:
        self._known = devices.registry(session)
        self._loaded_at = self._monotonic()

    def forget(self) -> None:
        self._loaded_at = None
