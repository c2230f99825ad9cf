"""The development broker: Mosquitto when installed, else amqtt (pure Python) in a thread.

amqtt is good for the demo and laptops (FIELD-NOTES: ~1,700 msg/s at QoS 1); production runs
Mosquitto or EMQX (config/mosquitto/). amqtt speaks MQTT 3.1.1 only; nodes and the ingest
on their default ``protocol: auto`` fall back to it by themselves (docs/decisions/0004).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import typer

log = logging.getLogger(__name__)


def broker_config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 0}},
        "plugins": {
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
        },
    }


class SnapshotDict(dict[Any, Any]):
    """amqtt 0.12 loops over its subscription table across ``await``s (retained messages for
    a resumed session, broadcasts); a subscribe from another client in between ended such a
    loop with "dictionary changed size during iteration" and dropped that client (seen in
    the demo under load). Iterating over a snapshot keeps each loop on the table it began."""

    def __iter__(self) -> Iterator[Any]:
        return iter(list(dict.keys(self)))

    def items(self) -> Any:
        return list(dict.items(self))


class EmbeddedBroker:
    """amqtt on a private event loop in a daemon thread; ``start()`` returns once it listens."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        self._thread = threading.Thread(target=self._run, name="amqtt-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"embedded broker did not start on {self.host}:{self.port}")
        if self._error is not None:
            raise RuntimeError(f"embedded broker failed: {self._error}") from self._error
        # amqtt's start() returns once the listener is bound; no TCP probe (amqtt logs an
        # error for every connection that sends no CONNECT)
        log.info("embedded broker listening on %s", self.url)

    def _run(self) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)

        async def boot() -> None:
            self._broker = Broker(broker_config(self.host, self.port), loop=loop)
            self._broker._subscriptions = SnapshotDict()
            await self._broker.start()

        try:
            loop.run_until_complete(boot())
        except BaseException as exc:  # reported to start(); the thread ends
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._broker is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), loop)
        try:
            future.result(timeout=10)
        except Exception:
            log.exception("embedded broker shutdown failed")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop = None
        self._broker = None


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port}") from None
            time.sleep(0.05)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def broker_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(1883, "--port", help="TCP port."),
    engine: str = typer.Option(
        "auto", "--engine", help="auto (mosquitto when installed, else amqtt), mosquitto, amqtt."
    ),
) -> None:
    """Run the development broker until Ctrl-C (or SIGTERM)."""
    import signal

    from smartstore.mosquitto import MosquittoBroker, pick_engine

    try:
        chosen = pick_engine(engine)
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"broker: {exc}", err=True)
        raise typer.Exit(2) from exc
    broker = MosquittoBroker(host, port) if chosen == "mosquitto" else EmbeddedBroker(host, port)
    stop = threading.Event()
    # before start: a SIGTERM while starting must still stop (and not orphan) mosquitto
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        broker.start()
    except (RuntimeError, TimeoutError, OSError) as exc:
        typer.echo(f"broker: {exc}", err=True)
        raise typer.Exit(1) from exc
    speaks = "MQTT 5 and 3.1.1" if chosen == "mosquitto" else "MQTT 3.1.1"
    typer.echo(f"smartstore broker ({chosen}, {speaks}) on {broker.url}; Ctrl-C stops")
    try:
        while not stop.wait(1.0):
            if isinstance(broker, MosquittoBroker) and not broker.running():
                typer.echo("broker: mosquitto exited", err=True)
                raise typer.Exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        broker.stop()
