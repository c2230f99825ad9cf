"""Acceptance (issue 8): ``smartstore demo`` as a newcomer runs it, in a subprocess.

Free ports and a temp data directory; the API must answer within 60 s, sales and alerts
must show within 2 minutes (logging in with the printed password), SIGINT must stop it
cleanly, and a second run must continue with the same data and password.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from smartstore.broker import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


class DemoProcess:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.port = free_port()
        self.mqtt_port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "smartstore",
            "demo",
            "--data-dir",
            str(data_dir),
            "--port",
            str(self.port),
            "--mqtt-port",
            str(self.mqtt_port),
            *extra,
        ]
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_output(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (found := re.search(pattern, self.output)) is not None:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the demo output:\n{self.output}")

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def login(base: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    r = client.post("/api/v1/auth/token", data={"username": "manager", "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def test_demo_shows_sales_and_alerts_then_stops_cleanly_and_continues(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    demo = DemoProcess(data, "--speed", "120")
    try:
        started = time.monotonic()
        demo.wait_output(r"smartstore demo ready", 60)
        assert time.monotonic() - started < 60
        password = demo.wait_output(r"password: (\S+)", 5).group(1)
        base = f"http://127.0.0.1:{demo.port}"
        assert httpx.get(f"{base}/docs", timeout=10).status_code == 200
        client = login(base, password)
        deadline = started + 120
        sales = alerts = 0
        while time.monotonic() < deadline and not (sales and alerts):
            sales = client.get("/api/v1/sales", params={"store": "demo"}).json()["total"]
            alerts = client.get("/api/v1/alerts", params={"store": "demo"}).json()["total"]
            time.sleep(1)
        assert sales > 0, demo.output
        assert alerts > 0, demo.output
        client.close()
        assert demo.interrupt() == 0
    finally:
        demo.kill()
    assert "Traceback" not in demo.output, demo.output
    assert "demo stopped" in demo.output
    assert (data / "cloud.sqlite3").exists()

    # the simulated clock is kept: the second run continues the day, not from 09:00
    saved = datetime.fromisoformat((data / "sim-clock.txt").read_text(encoding="utf-8").strip())
    again = DemoProcess(data, "--speed", "120")
    try:
        again.wait_output(r"smartstore demo ready", 60)
        assert again.wait_output(r"password: (\S+)", 5).group(1) == password
        assert "nothing to add (already seeded)" in again.output
        client = login(f"http://127.0.0.1:{again.port}", password)
        assert client.get("/api/v1/sales", params={"store": "demo"}).json()["total"] >= sales
        newest = datetime.min.replace(tzinfo=UTC)
        deadline = time.monotonic() + 60
        while newest <= saved and time.monotonic() < deadline:
            page = client.get("/api/v1/sales", params={"store": "demo", "limit": 500}).json()
            stamps = [datetime.fromisoformat(s["completed_at"]) for s in page["items"]]
            newest = max(stamps, default=newest)
            time.sleep(1)
        assert newest > saved, (newest, saved)  # stamped with the continued simulated clock
        client.close()
        assert again.interrupt() == 0
    finally:
        again.kill()
    assert "Traceback" not in again.output, again.output
