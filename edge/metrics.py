"""Prometheus metrics of a node, served on ``/metrics`` by a small HTTP service.

Figures: outbox depth and counters, link and cloud state, scan decode times, shelf lane
states, commands handled, rejected inbound messages. Each node builds its own
:class:`NodeMetrics` (its own registry: nothing global, nothing at import time); the server
is a :class:`edge.runtime.Service`. A port already in use logs an error and the node runs on:
metrics must never stop a checkout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from edge.config import MetricsSettings, NodeIdentity

log = logging.getLogger(__name__)

LANE_STATES = ("ok", "low", "out")
DECODE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class NodeMetrics:
    """The node's figures; call sites update them, ``bind_*`` read live objects at scrape."""

    def __init__(self, identity: NodeIdentity, kind: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.info = Info("smartstore_node", "Identity and versions of this node", registry=r)
        self.info.info({"store": identity.store, "node": identity.node, "kind": kind})
        self.outbox_depth = Gauge(
            "smartstore_outbox_depth", "Events not yet acknowledged by the broker", registry=r
        )
        self.outbox_events = Gauge(
            "smartstore_outbox_events",
            "Outbox counters since start (appended, sent, compacted, dropped …)",
            ["counter"],
            registry=r,
        )
        self.link_connected = Gauge(
            "smartstore_link_connected", "1 while connected to the broker", registry=r
        )
        self.cloud_online = Gauge(
            "smartstore_cloud_online",
            "Cloud ingest state: 1 online, 0 offline, -1 unknown",
            registry=r,
        )
        self.decode_seconds = Histogram(
            "smartstore_scan_decode_seconds",
            "Time to decode one camera frame or scanner line",
            ["decoder"],
            buckets=DECODE_BUCKETS,
            registry=r,
        )
        self.lane_state = Gauge(
            "smartstore_lane_state",
            "1 for the lane's current state (ok, low, out)",
            ["lane", "state"],
            registry=r,
        )
        self.lane_count = Gauge("smartstore_lane_units", "Units on the lane", ["lane"], registry=r)
        self.commands = Counter(
            "smartstore_commands", "Commands handled", ["name", "ok"], registry=r
        )
        self.rejected = Gauge(
            "smartstore_inbound_rejected", "Inbound messages rejected as malformed", registry=r
        )
        self.config_version = Info("smartstore_config", "Applied remote config version", registry=r)

    # binding live objects ---------------------------------------------------------------

    def bind_outbox(self, depth: Callable[[], int], stats: Callable[[], dict[str, int]]) -> None:
        """Read the outbox at scrape time (``Outbox.depth`` and ``Outbox.stats``)."""
        self.outbox_depth.set_function(lambda: float(depth()))
        for key in ("appended", "sent", "acked", "compacted", "dropped_new", "refused"):
            self.outbox_events.labels(key).set_function(_stat_reader(stats, key))

    def bind_link(self, connected: Callable[[], bool], cloud: Callable[[], bool | None]) -> None:
        self.link_connected.set_function(lambda: 1.0 if connected() else 0.0)

        def cloud_value() -> float:
            state = cloud()
            return -1.0 if state is None else float(state)

        self.cloud_online.set_function(cloud_value)

    def bind_rejections(self, count: Callable[[], int]) -> None:
        self.rejected.set_function(lambda: float(count()))

    # call-site updates --------------------------------------------------------------------

    @contextmanager
    def time_decode(self, decoder: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.decode_seconds.labels(decoder).observe(time.perf_counter() - start)

    def set_lane(self, lane: str, state: str, count: int) -> None:
        """From every stock event of the shelf: exactly one state label is 1 per lane."""
        for s in LANE_STATES:
            self.lane_state.labels(lane, s).set(1.0 if s == state else 0.0)
        self.lane_count.labels(lane).set(count)

    def command_done(self, name: str, ok: bool) -> None:
        self.commands.labels(name, "true" if ok else "false").inc()

    def set_config_version(self, version: str | None) -> None:
        self.config_version.info({"version": version or ""})

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _stat_reader(stats: Callable[[], dict[str, int]], key: str) -> Callable[[], float]:
    def read() -> float:
        return float(stats().get(key, 0))

    return read


class MetricsServer:
    """``GET /metrics`` on ``settings.host:port`` in its own thread; a Service."""

    def __init__(self, metrics: NodeMetrics, settings: MetricsSettings) -> None:
        self.metrics = metrics
        self.settings = settings
        self.name = "metrics"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int | None:
        return self._server.server_address[1] if self._server is not None else None

    def start(self) -> None:
        if not self.settings.enabled:
            return
        render = self.metrics.render

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404)
                    return
                body = render()
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE_LATEST)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("metrics: " + format, *args)

        try:
            self._server = ThreadingHTTPServer((self.settings.host, self.settings.port), Handler)
        except OSError as exc:
            log.error(
                "metrics endpoint %s:%d not started: %s",
                self.settings.host,
                self.settings.port,
                exc,
            )
            return
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-http", daemon=True
        )
        self._thread.start()
        log.info("metrics on http://%s:%d/metrics", self.settings.host, self.port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


def node_metrics(
    identity: NodeIdentity,
    kind: str,
    settings: MetricsSettings,
    *,
    outbox: Any = None,
    link: Any = None,
    rejections: Any = None,
) -> tuple[NodeMetrics, MetricsServer]:
    """Wire the usual objects: an ``edge.outbox.Outbox``, ``edge.link.Link``, ``Rejections``."""
    metrics = NodeMetrics(identity, kind)
    if outbox is not None:
        metrics.bind_outbox(outbox.depth, outbox.stats)
    if link is not None:
        metrics.bind_link(lambda: bool(link.connected), lambda: link.cloud_online)
        metrics.set_config_version(link.config_version)
    if rejections is not None:
        metrics.bind_rejections(lambda: int(rejections.count))
    return metrics, MetricsServer(metrics, settings)
