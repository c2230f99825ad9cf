"""Prometheus metrics of the cloud: ``/metrics`` on the API app and on each ingest worker.

The API app's figures come from the database at scrape time (a custom collector), so every
API replica shows the same numbers whatever ingest worker did the work: events processed by
type (``rate()`` of it is the ingest rate), time since the last processed event, dead letters
by status, devices online/offline with their reported outbox depth, shelf lanes by state.
Each ingest worker also serves its own live figures: events applied and dead-lettered, the
lag from an event's timestamp to its commit, batch times, messages waiting in its queue.
Registries are built per app/worker; nothing is registered at import time.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cloud.ingest.pipeline import Inbound
    from cloud.ingest.worker import IngestWorker
    from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)


class DatabaseCollector:
    """Collects fleet and ingest figures from the database on every scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[Any]:
        return []  # collected lazily: no database query at registration

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("smartstore_metrics_db_up", "1 when the database answered")
        try:
            families = self._query()
        except sa_exc.SQLAlchemyError as exc:
            log.warning("metrics: database query failed: %s", exc)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        yield from families

    def _query(self) -> list[Any]:
        from cloud.devices.models import Device
        from cloud.ingest.models import DeadLetter, ProcessedEvent
        from cloud.inventory.models import LaneState
        from cloud.stores.models import Store

        processed = CounterMetricFamily(
            "smartstore_events_processed",
            "Events applied by ingest (exactly once), by type; rate() is the ingest rate",
            labels=["type"],
        )
        idle = GaugeMetricFamily(
            "smartstore_ingest_idle_seconds",
            "Seconds since ingest last applied an event (ingest freshness)",
        )
        dead = GaugeMetricFamily(
            "smartstore_dead_letters", "Rejected messages kept with their reason", labels=["status"]
        )
        devices = GaugeMetricFamily(
            "smartstore_devices", "Registered devices by state", labels=["store", "state"]
        )
        depth = GaugeMetricFamily(
            "smartstore_device_outbox_depth",
            "Unsent events a node reported in its last state",
            labels=["store", "node"],
        )
        lanes = GaugeMetricFamily(
            "smartstore_lanes", "Shelf lanes by stock state", labels=["store", "state"]
        )
        with self.engine.connect() as conn:
            for etype, n in conn.execute(
                select(ProcessedEvent.type, func.count()).group_by(ProcessedEvent.type)
            ):
                processed.add_metric([etype], float(n))
            last = conn.scalar(select(func.max(ProcessedEvent.processed_at)))
            if last is not None:
                last = last if last.tzinfo else last.replace(tzinfo=UTC)
                idle.add_metric([], max(0.0, (datetime.now(UTC) - last).total_seconds()))
            for status, n in conn.execute(
                select(DeadLetter.status, func.count()).group_by(DeadLetter.status)
            ):
                dead.add_metric([status], float(n))
            rows: Sequence[Any] = conn.execute(
                select(Store.code, Device.node, Device.online, Device.outbox_depth).join(
                    Store, Store.id == Device.store_id
                )
            ).all()
            per_store: dict[tuple[str, str], int] = {}
            for code, node, online, outbox_depth in rows:
                key = (code, "online" if online else "offline")
                per_store[key] = per_store.get(key, 0) + 1
                per_store.setdefault((code, "offline" if online else "online"), 0)
                if outbox_depth is not None:
                    depth.add_metric([code, node], float(outbox_depth))
            for (code, state), n in sorted(per_store.items()):
                devices.add_metric([code, state], float(n))
            for code, state, n in conn.execute(
                select(Store.code, LaneState.state, func.count())
                .join(Store, Store.id == LaneState.store_id)
                .group_by(Store.code, LaneState.state)
            ):
                lanes.add_metric([code, state], float(n))
        return [processed, idle, dead, devices, depth, lanes]


def api_registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine))
    return registry


def install_metrics(app: FastAPI, engine: Engine, token: str | None) -> None:
    """Add ``GET /metrics`` (Prometheus text format, outside the OpenAPI schema) when a
    ``metrics_token`` is set: only ``Authorization: Bearer <token>`` gets the figures (401
    otherwise). Without a token there is no route (404): serve the figures on a separate
    listen address instead (``cloud serve --metrics-port``, :func:`serve_api_metrics`)."""
    if not token:
        return
    registry = api_registry(engine)
    expected = f"Bearer {token}".encode()

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return Response(
                '{"detail":"metrics need the metrics token"}',
                status_code=401,
                media_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def serve_api_metrics(engine: Engine, port: int, host: str = "127.0.0.1") -> tuple[Any, Any]:
    """The API's database figures on their own ``host:port`` (no token: bind it where only
    Prometheus reaches); returns (server, thread) to shut down."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=host, registry=api_registry(engine))


# ingest worker -----------------------------------------------------------------------------


class IngestMetrics:
    """Live figures of one ingest worker; :meth:`instrument` hooks them into the worker."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events = Counter(
            "smartstore_ingest_events", "Messages handled by this worker", ["result"], registry=r
        )
        self.lag = Histogram(
            "smartstore_ingest_lag_seconds",
            "Event timestamp to commit, sampled on the last event of each batch",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.batch_seconds = Histogram(
            "smartstore_ingest_batch_seconds", "Time to commit one batch", registry=r
        )
        self.queue = Gauge(
            "smartstore_ingest_queue", "Messages received, waiting to be committed", registry=r
        )

    def instrument(self, worker: IngestWorker) -> None:
        """Wrap the worker's pipeline: counts, batch time and lag after each commit."""
        pipeline = worker.pipeline
        process = pipeline.process
        self.queue.set_function(lambda: float(worker._queue.qsize()))

        def timed(messages: Sequence[Inbound]) -> None:
            applied, dead = pipeline.applied, pipeline.dead_lettered
            start = time.perf_counter()
            process(messages)
            self.batch_seconds.observe(time.perf_counter() - start)
            self.events.labels("applied").inc(pipeline.applied - applied)
            self.events.labels("dead_letter").inc(pipeline.dead_lettered - dead)
            lag = event_lag(messages[-1]) if messages else None
            if lag is not None:
                self.lag.observe(lag)

        pipeline.process = timed  # type: ignore[method-assign]


def event_lag(message: Inbound, now: datetime | None = None) -> float | None:
    """Seconds from the envelope's ``ts`` to ``now``; None when the message was not a valid
    event. Reads the event the pipeline decoded: metrics never parse a payload again (a
    hostile one killed the apply thread that way, issue 15)."""
    if message.decoded is None:
        return None
    at = message.decoded.envelope.ts
    return max(0.0, ((now or datetime.now(UTC)) - at).total_seconds())


def serve_ingest_metrics(
    metrics: IngestMetrics, port: int, host: str = "127.0.0.1"
) -> tuple[Any, Any]:
    """Serve the worker's registry on ``host:port``; returns (server, thread) to shut down."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=host, registry=metrics.registry)


def run_with_metrics(
    settings: CloudSettings, stop: threading.Event, port: int, host: str = "0.0.0.0"
) -> None:
    """``cloud ingest --metrics-port P``: one instrumented worker until ``stop`` is set."""
    from cloud.ingest.runner import build_worker

    worker = build_worker(settings)
    metrics = IngestMetrics()
    metrics.instrument(worker)
    server, thread = serve_ingest_metrics(metrics, port, host)
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()
        server.shutdown()
        thread.join(5)
