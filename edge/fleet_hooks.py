"""One call that gives a node its fleet hooks: ``/metrics`` and remote config.

Both node kinds need the same wiring (metrics bound to the outbox, link and rejection
counters; ``cmd/config`` and ``cmd/reload_config`` on the command router; the applied
version in the retained state and in the metrics), so it lives here once instead of being
copied into each ``service.py``. The caller adds ``hooks.server`` to its services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from edge.config import NodeConfig
from edge.metrics import MetricsServer, NodeMetrics, node_metrics
from edge.remote_config import RemoteConfig, report_version_on

log = logging.getLogger(__name__)

C = TypeVar("C", bound=NodeConfig)


class RejectionTotal:
    """Several ``edge.inbound.Rejections`` read as one ``count`` (commands + price books)."""

    def __init__(self, sources: Sequence[Any]) -> None:
        self.sources = list(sources)

    @property
    def count(self) -> int:
        return sum(int(s.count) for s in self.sources)


@dataclass
class FleetHooks(Generic[C]):
    metrics: NodeMetrics
    server: MetricsServer
    remote: RemoteConfig[C] | None
    """None when the node was started without a config file (tests, simulators)."""


def wire_fleet_hooks(
    *,
    kind: str,
    model: type[C],
    config: C,
    link: Any,
    router: Any,
    outbox: Any,
    config_path: Path | None,
    apply: Callable[[C], None],
    healthy: Callable[[C], bool] | None = None,
    rejections: Sequence[Any] = (),
) -> FleetHooks[C]:
    """``link`` is an ``edge.link.Link``, ``router`` an ``edge.inbound.CommandRouter``."""
    metrics, server = node_metrics(
        config.identity,
        kind,
        config.metrics,
        outbox=outbox,
        link=link,
        rejections=RejectionTotal([router.rejections, *rejections]),
    )
    remote: RemoteConfig[C] | None = None
    if config_path is not None:
        report = report_version_on(link)

        def on_version(version: str | None) -> None:
            metrics.set_config_version(version)
            report(version)

        remote = RemoteConfig(
            config_path, model, config, apply, healthy=healthy, on_version=on_version
        )
        link.config_version = remote.version
        metrics.set_config_version(remote.version)
        remote.register(router)
        log.info("remote config on %s (version %s)", config_path, remote.version or "none")
    return FleetHooks(metrics, server, remote)
