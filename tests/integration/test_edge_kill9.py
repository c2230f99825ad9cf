"""Acceptance: kill -9 of a publishing node at random points loses no seq (real Mosquitto)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.edge_consumer import Consumer, wait_for
from tests.support.services import MosquittoProcess

TOTAL = 10_000
ROOT = Path(__file__).resolve().parents[2]


def spawn(db: Path, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.edge_publisher",
            "--db",
            str(db),
            "--url",
            url,
            "--total",
            str(TOTAL),
            "--batch",
            "5",
            "--pause",  # ≥ 6 s for the whole run: each kill lands mid-run on a fast disk too
            "0.003",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


@pytest.mark.mosquitto
@pytest.mark.slow
def test_kill9_at_random_points_loses_no_seq(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    seed = int(os.environ.get("KILL9_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    consumer = Consumer(mosquitto_broker.host, mosquitto_broker.port).start()
    db = tmp_path / "node" / "outbox.sqlite3"
    kills_mid_run = 0
    proc: subprocess.Popen[bytes] | None = None
    try:
        # Kill 1: a random moment of start-up, before or just after the link connects.
        proc = spawn(db, mosquitto_broker.url)
        time.sleep(rng.uniform(0.1, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # Kills 2-4: once the node is online again, after a random number of further events.
        for _ in range(3):
            last_boot = consumer.state.boot if consumer.state is not None else 0
            proc = spawn(db, mosquitto_broker.url)
            wait_for(
                lambda b=last_boot: (  # type: ignore[misc]
                    consumer.state is not None and consumer.state.online and consumer.state.boot > b
                ),
                30,
                f"a boot after {last_boot} online (seed {seed})",
            )
            target = consumer.max_seq() + rng.randint(200, 1500)
            wait_for(lambda t=target: consumer.max_seq() >= min(t, TOTAL - 1), 60, f"seq {target}")  # type: ignore[misc]
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            if len(consumer.seqs()) < TOTAL:
                kills_mid_run += 1
        proc = spawn(db, mosquitto_broker.url)
        assert proc.wait(60) == 0
        wait_for(lambda: len(consumer.seqs()) >= TOTAL, 20, f"all {TOTAL} seqs (seed {seed})")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        consumer.stop()
    missing = sorted(set(range(1, TOTAL + 1)) - consumer.seqs())
    assert missing == [], f"seed {seed}: {len(missing)} missing, first {missing[:10]}"
    assert max(consumer.seqs()) == TOTAL
    assert kills_mid_run == 3, f"seed {seed}: only {kills_mid_run} kills landed mid-run"
    online_boots = {s.boot for s in consumer.states if s.online}
    assert len(online_boots) >= 4, f"a new boot per restart expected, saw {online_boots}"
