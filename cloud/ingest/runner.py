"""Builds an ingest worker from settings (``smartstore cloud ingest``, tests, bench)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import make_engine, make_sessionmaker
from cloud.db.sqlite import use_immediate_transactions
from cloud.ingest.worker import IngestWorker
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


def run(settings: CloudSettings, stop: threading.Event) -> None:
    """Run one worker until ``stop`` is set (signals set it in the CLI)."""
    worker = build_worker(settings)
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
