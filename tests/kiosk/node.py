"""Build a kiosk node for tests: temp files, fake devices, port 0 for the UI."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from contracts.pricebook import encode_pricebook
from edge.config import load_config
from kiosk.config import KioskConfig
from tests.kiosk.books import demo_book

PIN = "2468"
_HASH: list[str] = []


def pin_hash() -> str:
    if not _HASH:
        _HASH.append(PasswordHasher(time_cost=1, memory_cost=8192).hash(PIN))
    return _HASH[0]


def kiosk_config(tmp: Path, mqtt_url: str = "mqtt://127.0.0.1:1", **extra: Any) -> KioskConfig:
    seed = tmp / "book.sspb"
    if not seed.exists():
        seed.write_bytes(encode_pricebook(demo_book()))
    data: dict[str, Any] = {
        "identity": {"store": "demo", "node": "kiosk-1"},
        "mqtt": {"url": mqtt_url, "backoff_min": 0.1, "backoff_max": 0.5},
        "outbox": {"path": str(tmp / "node.sqlite3")},
        "scale": {"type": "fake", "noise_g": 0.3, "sample_s": 0.01},
        "payment": {
            "type": "simulator",
            "state_path": str(tmp / "terminal.sqlite3"),
            "latency_s": 0.05,
        },
        "cash": {"type": "fake"},
        "printer": {"type": "dummy"},
        "attendants": [{"id": "anna", "pin_hash": pin_hash(), "badge": "BADGE-7"}],
        "ui": {"port": 0},
        "pricebook": {"seed_path": str(seed)},
    }
    for key, value in extra.items():
        data[key] = value
    return load_config(KioskConfig, None, overrides=data)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
