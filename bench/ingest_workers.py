"""Ingest drained by several worker processes, as deployed (``smartstore-ingest@N``).

One ingest process is bound by its interpreter lock (decode, apply, paho and acks share
it), so the ingest tier scales out by processes on one shared subscription. Each worker
runs in its own spawned process with its own persistent session, registered before the
messages are published, so the broker splits the queue between them; the clock starts when
every worker has connected its database and is released at once, and stops when the
workers together have applied every event. CPU is each worker's own process CPU over the
same span, summed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier, Event
from typing import Any

from cloud.ingest.runner import build_worker, tune_gc
from cloud.settings import CloudSettings


@dataclass(frozen=True)
class Drained:
    """One multi-worker drain: wall and CPU seconds, and what each worker applied."""

    wall: float
    cpu: float
    server: float
    applied: list[int]


def client_ids(base: str, workers: int) -> list[str]:
    """The workers' MQTT client ids (one persistent session each)."""
    return [f"{base}-{k}" for k in range(workers)]


def _process_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _worker(
    settings: CloudSettings,
    batch: int,
    tune: bool,
    ready: Barrier,
    stop: Event,
    applied: Synchronized,  # type: ignore[type-arg]
    cpu: Any,
) -> None:
    worker = build_worker(settings, batch_size=batch)
    if tune:
        tune_gc()
    ready.wait(120)
    c0 = _process_cpu()
    worker.start()
    told = 0
    while not stop.is_set():
        now = worker.pipeline.applied
        if now != told:
            with applied.get_lock():
                applied.value += now - told
            told = now
        time.sleep(0.005)
    cpu.put((_process_cpu() - c0, told))
    worker.stop()


def drain(
    settings: CloudSettings,
    client_ids: list[str],
    n: int,
    batch: int,
    server_cpu: Callable[[], float],
    tune: bool = True,
) -> Drained:
    """Drain ``n`` events with one worker process per client id (``server_cpu`` is read while
    the workers' database sessions are open)."""
    ctx = mp.get_context("spawn")
    ready = ctx.Barrier(len(client_ids) + 1)
    stop = ctx.Event()
    applied = ctx.Value("q", 0)
    cpu = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                settings.model_copy(update={"mqtt_client_id": cid}),
                batch,
                tune,
                ready,
                stop,
                applied,
                cpu,
            ),
            name=f"ingest-{cid}",
        )
        for cid in client_ids
    ]
    for p in procs:
        p.start()
    try:
        ready.wait(120)
        s0 = server_cpu()
        t0 = time.perf_counter()
        deadline = t0 + 600
        while applied.value < n and time.perf_counter() < deadline:
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        done = applied.value
        server = server_cpu() - s0
    finally:
        stop.set()
    ends = [cpu.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert done == n, f"applied {done}/{n}"
    return Drained(wall, sum(c for c, _ in ends), server, sorted(a for _, a in ends))
