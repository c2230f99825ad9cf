"""``kill -9`` of the kiosk while the shopper confirms a payment code on the phone, with each
real payment adapter against its fake gateway: after the restart the kiosk settles the
payment by querying the same reference — one charge or none, never two, and the sale it
records matches the charge."""

from __future__ import annotations

import json
import signal
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from smartstore.broker import free_port
from tests.kiosk.books import BAG
from tests.kiosk.node import wait_for
from tests.kiosk.payments_world import PROVIDERS, UNDONE, Provider, provider
from tests.kiosk.test_cli import get_state, spawn, write_config


def start_paying(base: str, p: Provider, known: set[str]) -> str:
    """Two bags, the shopper's code scanned (or the card button pressed); the new
    reference, once the gateway holds it as waiting for the shopper."""
    for body in ({"code": BAG}, {"code": BAG}):
        httpx.post(f"{base}/scan", json=body, timeout=5).raise_for_status()
    httpx.post(f"{base}/pay", json={"method": "cash"}, timeout=5).raise_for_status()
    if p.code is None:
        httpx.post(f"{base}/pay", json={"method": "card"}, timeout=5).raise_for_status()
    else:
        httpx.post(f"{base}/scan", json={"code": p.code}, timeout=5).raise_for_status()
    waiting = wait_for(lambda: set(p.waiting()) - known, timeout=20, what="user paying")
    (ref,) = waiting
    return str(ref)


def kiosk_rows(db_path: Path) -> tuple[list[dict[str, object]], int]:
    with closing(sqlite3.connect(db_path)) as db:
        sales = [
            json.loads(raw)["data"]
            for (raw,) in db.execute("SELECT payload FROM outbox WHERE type='sale'")
        ]
        (approved,) = db.execute(
            "SELECT count(*) FROM kiosk_payments WHERE status='approved'"
        ).fetchone()
    return sales, int(approved)


@pytest.mark.slow
@pytest.mark.parametrize("name", PROVIDERS)
def test_kill_9_during_user_paying_one_charge_or_none(tmp_path: Path, name: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "kiosk.log"
    with provider(name, tmp_path, user_paying_timeout_s=60, poll_s=0.2) as p:
        p.user_paying_forever()
        p.user_paying_forever()
        cfg = write_config(tmp_path, "mqtt://127.0.0.1:1", port, payment=p.config)
        proc = spawn(cfg, log)
        try:
            wait_for(lambda: get_state(port), timeout=60, what="kiosk up")
            # 1: killed while waiting; the shopper confirms on the phone meanwhile
            first = start_paying(base, p, set())
            assert (get_state(port) or {})["attempt"]["status"] == "pending"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            p.shopper_confirms(first)
            proc = spawn(cfg, log)
            wait_for(
                lambda: (s := get_state(port)) and s["phase"] == "receipt",
                timeout=60,
                what="the sale settled by query",
            )
            httpx.post(f"{base}/finish", timeout=5).raise_for_status()
            httpx.post(f"{base}/new", timeout=5).raise_for_status()
            # 2: killed while waiting; the shopper never confirms: reversed on restart
            second = start_paying(base, p, {first})
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc = spawn(cfg, log)
            settled = wait_for(
                lambda: (s := get_state(port)) and s["attempt"]["status"] == "declined" and s,
                timeout=60,
                what="the open payment reversed",
            )
        finally:
            proc.terminate()
            proc.wait(15)
        assert settled["phase"] == "paying"
        assert p.state_of(second) in UNDONE
        assert p.charged() == {first: Decimal("1.00")}  # one charge, the second none
    sales, approved = kiosk_rows(tmp_path / "node.sqlite3")
    assert approved == 1
    (sale,) = sales
    assert sale["total"] == "1.00"
    assert [(t["reference"], t["amount"], t["provider"]) for t in sale["tenders"]] == [
        (first, "1.00", name)
    ]
