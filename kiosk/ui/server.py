"""uvicorn in a thread, as a runtime Service; port 0 picks a free port (tests)."""

from __future__ import annotations

import logging
import threading
import time

from kiosk.config import UiConfig
from kiosk.exceptions import KioskError
from kiosk.shell.parts import Parts

log = logging.getLogger(__name__)


class UiServer:
    name = "kiosk-ui"

    def __init__(self, parts: Parts, config: UiConfig) -> None:
        self.parts = parts
        self.config = config
        self.port: int | None = None
        self._server: object | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> None:
        import uvicorn

        from kiosk.ui.app import create_app

        app = create_app(self.parts)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=self.config.host,
                port=self.config.port,
                log_level="warning",
                ws="websockets-sansio",
                lifespan="off",
            )
        )
        self._server = server
        self._thread = threading.Thread(target=server.run, name="kiosk-ui", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise KioskError(f"UI did not start on {self.config.host}:{self.config.port}")
            time.sleep(0.02)
        sockets = [s for srv in server.servers for s in srv.sockets]
        self.port = int(sockets[0].getsockname()[1]) if sockets else self.config.port
        log.info("kiosk screen at %s", self.url)

    def stop(self) -> None:
        server = self._server
        if server is not None:
            server.should_exit = True  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(10)
        self._server = None
