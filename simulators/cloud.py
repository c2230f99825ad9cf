"""The whole cloud in one process, for the demo and the simulator tests.

Migrations and the idempotent seed, the ingest worker, the retained price book and the
API/console (uvicorn in a thread), each started in order and stopped in reverse. Imports of
``cloud`` happen inside methods: ``simulators`` may depend on the cloud, never at import time.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from smartstore.broker import wait_for_port

log = logging.getLogger(__name__)


SIMULATED_SKEW_S = 366 * 86_400.0
"""How far ahead of the cloud a simulated store's clock may run (a year of simulated days)."""


class LocalCloud:
    def __init__(
        self,
        database_url: str,
        mqtt_url: str,
        *,
        protocol: str = "auto",
        host: str = "127.0.0.1",
        port: int = 8000,
        store: str = "demo",
        clock: Callable[[], datetime] | None = None,
        max_future_skew_s: float = SIMULATED_SKEW_S,
        updates_dir: Path | None = None,
    ) -> None:
        """``clock``: the API's "now" (tests pin it to see the store's day from another
        hour); the ingest worker and the nodes keep real time. ``max_future_skew_s``: how
        far ahead a node's clock may run before its events are dead letters. ``updates_dir``:
        where published update bundles live (served at ``/updates/bundles``)."""
        from cloud.settings import CloudSettings

        self.settings = CloudSettings(
            database_url=database_url,
            mqtt_url=mqtt_url,
            mqtt_protocol=protocol,
            ingest_shared=protocol != "3.1.1",  # auto: off when the broker says 3.1.1
            public_url=f"http://{host}:{port}",
            demo=True,
            secret_key=secrets.token_urlsafe(48),
            # Simulated nodes stamp events with the simulation clock, which runs ahead of
            # the cloud's real one (60x in the demo): not the wrong node clock the check is for.
            ingest_max_future_skew_s=max_future_skew_s,
        )
        if updates_dir is not None:
            self.settings.updates_dir = updates_dir
        self.host = host
        self.port = port
        self.store = store
        self.clock = clock
        self.worker: Any = None
        self._sink: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.generated_password: str | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def prepare(self, password: str | None) -> str:
        """Migrate and seed (idempotent); returns the seed's summary line."""
        from cloud.seed.service import seed_database

        report = seed_database(self.settings.database_url, password=password)
        self.generated_password = report.generated_password
        return report.summary()

    def start_ingest(self) -> None:
        from cloud.ingest.runner import build_worker

        self.worker = build_worker(self.settings)
        self.worker.start()

    def publish_pricebook(self, stores: list[str] | None = None) -> int:
        """Publish the stores' price books (default: this one's), retained: the kiosks and
        the shelves pick them up. Returns the first book's product count."""
        from cloud.db.session import make_engine, make_sessionmaker
        from cloud.pricebook.mqtt_sink import MqttRetainedSink
        from cloud.pricebook.publisher import PriceBookPublisher

        if self._sink is None:
            self._sink = MqttRetainedSink.connect(self.settings)
        engine = make_engine(self.settings.database_url)
        try:
            publisher = PriceBookPublisher(make_sessionmaker(engine), self._sink)
            codes = stores or [self.store]
            books = publisher.publish(codes)
            if books and min(b.version for b in books) <= 1:
                # a kiosk's empty start-up book is also version 1 and a v1 from the cloud
                # would never apply (kiosk.service.empty_book): publish v2 at once
                books = publisher.publish(codes)
        finally:
            engine.dispose()
        return len(books[0].products) if books else 0

    def start_api(self, timeout: float = 30.0) -> None:
        import uvicorn

        from cloud.main import create_app

        app = create_app(self.settings, clock=self.clock)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="cloud-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the API did not start on {self.url} (port in use?)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API did not start on {self.url}")
            time.sleep(0.05)
        wait_for_port(self.host, self.port, timeout)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._server = None
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self._sink is not None:
            self._sink.close()
            self._sink = None
