"""Publishes a store's price book, retained, after the change that caused it commits.

Service functions that change products, prices or promotions call
:meth:`PriceBookPublisher.changed` with their session; the publish runs from the session's
``after_commit`` hook, so a rolled-back change never reaches the kiosks. The version comes
from an atomic UPDATE on ``stores.pricebook_version``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.pricebook.builder import build_pricebook
from cloud.stores.models import Store
from cloud.stores.service import next_pricebook_version
from contracts.pricebook import PriceBook, encode_pricebook
from contracts.topics import pricebook_topic

log = logging.getLogger(__name__)


class RetainedSink(Protocol):
    """Where encoded price books go: MQTT in production, memory in tests."""

    def publish_retained(self, topic: str, payload: bytes) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PriceBookPublisher:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        sink: RetainedSink,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._factory = session_factory
        self._sink = sink
        self._clock = clock
        self._lock = threading.Lock()  # keeps versions in publish order within this process

    def changed(self, session: Session, stores: Iterable[str] | None = None) -> None:
        wanted = None if stores is None else sorted(set(stores))

        def _after_commit(_session: Session) -> None:
            try:
                self.publish(wanted)
            except Exception:  # the change is committed; a failed publish is retried later
                log.exception("price book publish failed for %s", wanted or "all stores")

        event.listen(session, "after_commit", _after_commit, once=True)

    def publish(self, stores: Iterable[str] | None = None) -> list[PriceBook]:
        """Build and publish the price book of each store (all active stores by default)."""
        with self._lock:
            with self._factory() as session:
                stmt = select(Store.code).where(Store.active.is_(True)).order_by(Store.code)
                codes = list(session.scalars(stmt)) if stores is None else list(stores)
            return [self._publish_one(code) for code in codes]

    def _publish_one(self, code: str) -> PriceBook:
        now = self._clock()
        with transaction(self._factory) as session:
            store = session.scalars(select(Store).where(Store.code == code)).one()
            version = next_pricebook_version(session, store.id)
            book = build_pricebook(session, store, version, now)
        payload = encode_pricebook(book)
        self._sink.publish_retained(pricebook_topic(code), payload)
        log.info(
            "published price book %s v%d: %d products, %d bytes",
            code,
            version,
            len(book.products),
            len(payload),
        )
        return book


class MemorySink:
    """Keeps what was published, like a broker's retained store (tests, demo without MQTT)."""

    def __init__(self) -> None:
        self.retained: dict[str, bytes] = {}
        self.count = 0

    def publish_retained(self, topic: str, payload: bytes) -> None:
        self.retained[topic] = payload
        self.count += 1
