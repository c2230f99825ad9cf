"""``smartstore kiosk run``: bad config names the field; kill -9 during payment recovers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contracts.pricebook import encode_pricebook
from contracts.topics import events_filter
from kiosk.payment.simulator import PaymentSimulator
from smartstore.broker import free_port
from tests.kiosk.books import BAG, demo_book
from tests.kiosk.mqtt_probe import Probe
from tests.kiosk.node import pin_hash, wait_for
from tests.support.services import MosquittoProcess, mosquitto

SMARTSTORE = [sys.executable, "-m", "smartstore"]


def write_config(tmp: Path, mqtt_url: str, ui_port: int, **extra: Any) -> Path:
    seed = tmp / "book.sspb"
    seed.write_bytes(encode_pricebook(demo_book()))
    data: dict[str, Any] = {
        "identity": {"store": "demo", "node": "kiosk-1"},
        "mqtt": {"url": mqtt_url, "backoff_min": 0.1, "backoff_max": 0.5},
        "outbox": {"path": str(tmp / "node.sqlite3")},
        "scale": {"type": "none"},
        "payment": {
            "type": "simulator",
            "state_path": str(tmp / "terminal.sqlite3"),
            "latency_s": 30,
        },
        "printer": {"type": "dummy"},
        "attendants": [{"id": "anna", "pin_hash": pin_hash()}],
        "ui": {"port": ui_port},
        "pricebook": {"seed_path": str(seed)},
    }
    data.update(extra)
    path = tmp / "kiosk.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_validate_config_ok_and_bad_field_named(tmp_path: Path) -> None:
    good = write_config(tmp_path, "mqtt://127.0.0.1:1883", 0)
    ok = subprocess.run(
        [*SMARTSTORE, "kiosk", "run", "--config", str(good), "--validate-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "ok" in ok.stdout
    bad = write_config(
        tmp_path,
        "mqtt://127.0.0.1:1883",
        0,
        scale={"type": "serial", "baudrate": -5},
        cash={"type": "fake", "colour": "red"},
    )
    res = subprocess.run(
        [*SMARTSTORE, "kiosk", "run", "--config", str(bad), "--validate-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert "scale.serial.port" in res.stderr
    assert "scale.serial.baudrate" in res.stderr
    assert "cash.fake.colour" in res.stderr
    example = Path(__file__).parents[2] / "config" / "kiosk.example.yaml"
    ex = subprocess.run(
        [*SMARTSTORE, "kiosk", "run", "--config", str(example), "--validate-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ex.returncode == 0, ex.stderr


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoProcess]:
    with mosquitto(tmp_path) as b:
        yield b


def spawn(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(
        [*SMARTSTORE, "kiosk", "run", "--config", str(cfg)],
        stdout=out,
        stderr=out,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def get_state(port: int) -> dict[str, Any] | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/state", timeout=2).json()  # type: ignore[no-any-return]
    except httpx.HTTPError:
        return None


@pytest.mark.mosquitto
@pytest.mark.slow
def test_kill_9_during_payment_recovers_one_charge_one_sale(
    tmp_path: Path, broker: MosquittoProcess
) -> None:
    port = free_port()
    cfg = write_config(tmp_path, broker.url, port)
    terminal = PaymentSimulator(tmp_path / "terminal.sqlite3")
    probe = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1"))
    proc = spawn(cfg, tmp_path / "kiosk.log")
    try:
        wait_for(lambda: get_state(port), timeout=60, what="kiosk up")
        base = f"http://127.0.0.1:{port}/api"
        httpx.post(f"{base}/scan", json={"code": BAG}, timeout=5).raise_for_status()
        httpx.post(f"{base}/scan", json={"code": BAG}, timeout=5).raise_for_status()
        httpx.post(f"{base}/pay", json={"method": "card"}, timeout=5).raise_for_status()
        # the terminal has charged the card and is 'waiting for the host' (latency 30 s)
        wait_for(terminal.approved_charges, timeout=20, what="charge at the terminal")
        state = get_state(port)
        assert state is not None
        assert state["attempt"]["status"] == "pending"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc = spawn(cfg, tmp_path / "kiosk.log")
        recovered = wait_for(
            lambda: (s := get_state(port)) and s["phase"] == "receipt" and s,
            timeout=60,
            what="recovered sale",
        )
        sales = wait_for(lambda: probe.of_type("sale"), timeout=20, what="sale event")
    finally:
        proc.terminate()
        proc.wait(15)
        probe.close()
    assert recovered["sale"]["total"] == "1.00"
    assert len(terminal.approved_charges()) == 1
    assert len(sales) == 1
    assert sales[0]["data"]["tenders"][0]["method"] == "card"
    with sqlite3.connect(tmp_path / "node.sqlite3") as db:
        (n_sales,) = db.execute("SELECT count(*) FROM outbox WHERE type='sale'").fetchone()
        (n_pay,) = db.execute(
            "SELECT count(*) FROM kiosk_payments WHERE status='approved'"
        ).fetchone()
    assert n_sales == 1
    assert n_pay == 1
