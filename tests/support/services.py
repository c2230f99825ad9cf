"""Real services for tests: a private Mosquitto process, the embedded broker, PostgreSQL.

FIELD-NOTES: tests start their own ``mosquitto -c <config>`` on a free port and create their
own PostgreSQL database, so runs are isolated. With ``CI=true`` a missing service fails the
test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from smartstore.broker import EmbeddedBroker, free_port, wait_for_port

PG_ADMIN_URL = os.environ.get("SMARTSTORE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing service must never pass silently there."""
    if in_ci():
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


@dataclass
class MosquittoProcess:
    host: str
    port: int
    conf: Path
    extra_conf: str = ""
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self) -> None:
        self.conf.write_text(
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "set_tcp_nodelay true\n"
            "persistence false\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 0\n"
            f"{self.extra_conf}\n"
        )
        self.proc = subprocess.Popen(
            ["mosquitto", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.host, self.port, 10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def mosquitto(tmp: Path, extra_conf: str = "") -> Iterator[MosquittoProcess]:
    if shutil.which("mosquitto") is None:
        unavailable("mosquitto binary not installed")
    broker = MosquittoProcess("127.0.0.1", free_port(), tmp / "mosquitto.conf", extra_conf)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@contextmanager
def embedded_broker() -> Iterator[EmbeddedBroker]:
    broker = EmbeddedBroker("127.0.0.1", free_port())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@contextmanager
def postgres_database(prefix: str = "smartstore_test") -> Iterator[str]:
    """Create a fresh database, yield its SQLAlchemy URL (psycopg 3), drop it afterwards."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg not installed")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    finally:
        for _ in range(3):
            try:
                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(0.5)
