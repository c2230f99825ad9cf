"""Acceptance: a late will from an older boot does not mark a newer session offline.

Real Mosquitto, short keepalive. Boot 1 is frozen (SIGSTOP: a power cut that leaves a half-open
TCP connection, so the broker notices only after 1.5 × keepalive); boot 2 comes up under a
new client id and says online; then the broker publishes boot 1's will. A consumer applying
``contracts.state.is_newer_state`` keeps the node online.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.state import is_newer_state
from tests.integration.edge_consumer import Consumer, wait_for
from tests.support.services import MosquittoProcess

ROOT = Path(__file__).resolve().parents[2]


def spawn(db: Path, url: str, client_id: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.edge_publisher",
            "--db",
            str(db),
            "--url",
            url,
            "--client-id",
            client_id,
            "--keepalive",
            "5",
            "--linger",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


@pytest.mark.mosquitto
@pytest.mark.slow
def test_late_will_of_older_boot_is_ignored(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    consumer = Consumer(mosquitto_broker.host, mosquitto_broker.port).start()
    db = tmp_path / "outbox.sqlite3"
    old = spawn(db, mosquitto_broker.url, "demo-kiosk-1-a")
    new: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: consumer.state is not None and consumer.state.online, 20, "boot 1 online")
        assert consumer.state is not None
        assert consumer.state.boot == 1
        old.send_signal(signal.SIGSTOP)

        new = spawn(db, mosquitto_broker.url, "demo-kiosk-1-b")
        wait_for(lambda: consumer.state is not None and consumer.state.boot == 2, 20, "boot 2")
        wait_for(
            lambda: any(not s.online and s.boot == 1 for s in consumer.states),
            20,
            "the broker publishing boot 1's will after keepalive expiry",
        )
        late_will = consumer.states[-1]
        assert (late_will.online, late_will.boot) == (False, 1), consumer.states
        assert not is_newer_state(consumer.state, late_will)
        assert consumer.state is not None
        assert (consumer.state.online, consumer.state.boot) == (True, 2)

        new.send_signal(signal.SIGTERM)  # clean stop: offline with the same boot is accepted
        assert new.wait(15) == 0
        wait_for(lambda: consumer.state is not None and not consumer.state.online, 10, "offline")
        assert consumer.state is not None
        assert consumer.state.boot == 2
    finally:
        old.send_signal(signal.SIGKILL)
        old.wait(10)
        if new is not None and new.poll() is None:
            new.kill()
        consumer.stop()
