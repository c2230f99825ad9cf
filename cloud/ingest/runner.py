"""Builds an ingest worker from settings (``smartstore cloud ingest``, tests, bench)."""

from __future__ import annotations

import gc
import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import make_engine, make_sessionmaker
from cloud.db.sqlite import use_immediate_transactions
from cloud.ingest.worker import IngestWorker, exit_process
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)


def ingest_engine(settings: CloudSettings) -> Engine:
    return use_immediate_transactions(make_engine(settings.database_url))


def build_worker(
    settings: CloudSettings,
    session_factory: sessionmaker[Session] | None = None,
    *,
    batch_size: int = 256,
    max_wait_s: float = 0.02,
) -> IngestWorker:
    factory = session_factory or make_sessionmaker(ingest_engine(settings))
    return IngestWorker(settings, factory, batch_size=batch_size, max_wait_s=max_wait_s)


def tune_gc(young: int = 100_000) -> None:
    """Process-wide, for a dedicated ingest process: freeze what start-up allocated and let
    the young generation grow to ``young`` objects before a collection.

    A sale decodes into ~40 container objects that live for one batch; with the default
    threshold (700) they are scanned and promoted by every young collection, then swept by
    full collections that also walk the ~85k start-up objects: measured 50–90 % on top of
    validation CPU (docs/BENCHMARKS.md, "Cloud ingest"). Cycles are still collected. At
    20,000 the young and middle collections still took ≈10 % of the process CPU (about 70
    and 6 per 20,000 sales); at 100,000 two young ones, −13 % CPU per event, for a pause of
    ≈50 ms per collection and a few MB more heap.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)


def run(settings: CloudSettings, stop: threading.Event) -> None:
    """Run one worker until ``stop`` is set (signals set it in the CLI).

    Any thread that dies unhandled, paho's network thread included, ends the process with a
    non-zero status, so systemd restarts it instead of leaving a worker that looks alive.
    """
    threading.excepthook = lambda args: exit_process(args.exc_value or RuntimeError("died"))
    worker = build_worker(settings)
    tune_gc()
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()
        log.info(
            "ingest stopped: %d applied, %d dead-lettered",
            worker.pipeline.applied,
            worker.pipeline.dead_lettered,
        )
