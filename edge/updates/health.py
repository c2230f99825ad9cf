"""The node's self-test after an update: is this version doing its job?

Each check returns None when fine or a short reason. The standard ones read the node's live
objects (no extra probes on the hot path): the link's broker connection, the outbox backlog
going down, the devices the node names, its local UI answering HTTP. A version passes its
trial after ``passes`` consecutive clean runs; the reasons of the last failing run are what
the node reports when it switches back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

Check = Callable[[], str | None]


@dataclass
class SelfTest:
    checks: dict[str, Check] = field(default_factory=dict)

    def add(self, name: str, check: Check) -> None:
        self.checks[name] = check

    def run(self) -> dict[str, str]:
        """Failing checks → reason; an empty dict means healthy. A raising check fails."""
        failures: dict[str, str] = {}
        for name, check in self.checks.items():
            try:
                reason = check()
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            if reason is not None:
                failures[name] = reason
        return failures


def describe(failures: Mapping[str, str]) -> str:
    return "; ".join(f"{name}: {reason}" for name, reason in sorted(failures.items()))


def broker_connected(link: Any) -> Check:
    """``link`` is an ``edge.link.Link``."""

    def check() -> str | None:
        return None if link.connected else "not connected to the broker"

    return check


def outbox_draining(outbox: Any, backlog: int = 200) -> Check:
    """Fine while the backlog is small or shrinking; a growing large backlog fails."""
    last: list[int] = []

    def check() -> str | None:
        depth = int(outbox.depth())
        previous = last[-1] if last else None
        last[:] = [depth]
        if depth <= backlog or (previous is not None and depth < previous):
            return None
        return f"outbox backlog {depth} and not shrinking"

    return check


def device_answers(name: str, probe: Callable[[], bool]) -> Check:
    def check() -> str | None:
        return None if probe() else f"{name} does not answer"

    return check


def ui_serving(url: str, timeout_s: float = 2.0) -> Check:
    def check() -> str | None:
        try:
            response = httpx.get(url, timeout=timeout_s)
        except httpx.HTTPError as exc:
            return f"UI at {url} unreachable: {exc}"
        return None if response.status_code < 500 else f"UI answers {response.status_code}"

    return check
