"""Mosquitto as the development broker: ``smartstore broker --engine mosquitto|auto``.

Mosquitto speaks MQTT 5 and 3.1.1 and carries shared subscriptions, so with it the
defaults (``protocol: auto``) settle on MQTT 5; amqtt stays the fallback when the
``mosquitto`` binary is not installed (docs/decisions/0004).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from smartstore.broker import wait_for_port

ENGINES = ("auto", "mosquitto", "amqtt")


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto")


def pick_engine(engine: str) -> str:
    """``auto`` → mosquitto when installed, else amqtt; an unknown or missing one raises."""
    if engine not in ENGINES:
        raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "auto":
        return "mosquitto" if mosquitto_binary() else "amqtt"
    if engine == "mosquitto" and mosquitto_binary() is None:
        raise RuntimeError("mosquitto is not installed (apt install mosquitto), or use amqtt")
    return engine


class MosquittoBroker:
    """A private ``mosquitto -c`` process: anonymous, no persistence, TCP_NODELAY."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def config(self) -> str:
        return (
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "set_tcp_nodelay true\n"
            "persistence false\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 0\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n"
        )

    def start(self, timeout: float = 10.0) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError("mosquitto is not installed")
        self._dir = tempfile.TemporaryDirectory(prefix="smartstore-mosquitto-")
        conf = Path(self._dir.name) / "mosquitto.conf"
        conf.write_text(self.config(), encoding="utf-8")
        # Its log goes to a file: an unread pipe fills after 64 KiB of warnings and then
        # Mosquitto blocks on the write, and the whole broker with it.
        self._log = Path(self._dir.name) / "mosquitto.log"
        with self._log.open("wb") as log_file:
            self._proc = subprocess.Popen(
                [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=log_file
            )
        try:
            wait_for_port(self.host, self.port, timeout)
        except TimeoutError:
            err = self._stderr()
            self.stop()
            raise RuntimeError(
                f"mosquitto did not start on {self.host}:{self.port}: {err}"
            ) from None

    def _stderr(self) -> str:
        proc = self._proc
        if proc is None or proc.poll() is None or self._log is None:
            return "no answer"
        text = self._log.read_bytes()[-4000:].decode(errors="replace").strip()
        return text or f"exit {proc.returncode}"

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
