"""End-to-end acks (SPEC §4): tell each node up to which seq its events are safe.

After a batch commits, the worker raises, per node of the batch, the *floor*: the highest
seq below which every one of the node's events is applied (``processed_events``) or
dead-lettered (``dead_letters`` that still say whose event they were). It is computed from
committed rows, so it holds whichever worker applied what; it is stored in
``delivery_floors`` and only ever raised, so acks are idempotent and monotone. The worker
publishes it on ``smartstore/v1/{store}/{node}/ack`` (QoS 1, not retained) for every node of
the batch, even unchanged: a node re-sending events already applied is waiting for exactly
that ack. Seqs rise across a node's boots, so the floor is contiguous over all of them and
an ack also covers earlier boots; ``boot`` names the boot of the event at ``seq``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest.models import DeliveryFloor
from contracts.codec import encode
from contracts.exceptions import ContractError
from contracts.messages import Ack
from contracts.strict import nesting_depth
from contracts.topics import TopicKind, ack_topic, parse_topic

log = logging.getLogger(__name__)

WINDOW = 50_000
"""Seqs above the stored floor looked at per batch: bounds the work behind a long gap."""
KEY_PAYLOAD_LIMIT = 64 * 1024
"""A dead letter's boot and seq are parsed from payloads up to this size; larger ones, and
ones no parser should see again, are scanned (the first ``SCAN_LIMIT`` bytes)."""
SCAN_LIMIT = 2 * KEY_PAYLOAD_LIMIT
KEY_MAX_DEPTH = 32
"""Deeper payloads are scanned, not parsed (contracts.strict.Limits.max_depth)."""
MAX_SEQ = 2**62

NodeKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """Whose event a message is: store and node from the topic, boot and seq from its body."""

    store: str
    node: str
    boot: int
    seq: int


@dataclass(frozen=True, slots=True)
class Floor:
    store: str
    node: str
    boot: int
    seq: int

    @property
    def topic(self) -> str:
        return ack_topic(self.store, self.node)

    def payload(self) -> bytes:
        return encode(Ack(boot=self.boot, seq=self.seq))


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEQ:
        return value
    return None


def _event_node(topic: str) -> NodeKey | None:
    try:
        parsed = parse_topic(topic)
    except ContractError:
        return None
    if parsed.kind is not TopicKind.EVENT or parsed.store is None or parsed.node is None:
        return None
    return parsed.store, parsed.node


_SCAN = {
    name: re.compile(rb'(?<!\\)"' + name + rb'"\s*:\s*(\d{1,19})(?![\d.eE])')
    for name in (b"boot", b"seq")
}


def _scanned(payload: bytes) -> tuple[int | None, int | None]:
    """``boot`` and ``seq`` by a linear scan, each only if its key occurs exactly once."""
    found: list[int | None] = []
    for pattern in _SCAN.values():
        hits = pattern.findall(payload[:SCAN_LIMIT])
        found.append(_int(int(hits[0])) if len(hits) == 1 else None)
    return found[0], found[1]


def _parsed(payload: bytes) -> tuple[int | None, int | None] | None:
    """``boot`` and ``seq`` of a JSON object; None when it cannot be read that way (too big,
    too deep, not JSON, not UTF-8, not an object)."""
    if len(payload) > KEY_PAYLOAD_LIMIT or nesting_depth(payload, KEY_MAX_DEPTH) > KEY_MAX_DEPTH:
        return None
    try:
        body = json.loads(payload)
    except Exception:  # not JSON, not UTF-8: the scan may still say whose it is
        return None
    if not isinstance(body, dict):
        return None
    return _int(body.get("boot")), _int(body.get("seq"))


def delivery_key(topic: str, payload: bytes, *, parse: bool = True) -> DeliveryKey | None:
    """The (store, node, boot, seq) of a rejected event message, if it still says so.

    The store and node come from the topic (the broker's ACL vouches for it), never from the
    body, so a node can only ever fill gaps in its own seqs. A small, well-formed object is
    parsed; anything else (over ``KEY_PAYLOAD_LIMIT``, too deep, not JSON, invalid UTF-8) and
    a message that killed workers (``parse=False``, the delivery ledger) are read by a bounded
    regex scan instead, so no rejected event the node keeps re-sending stalls its floor.
    Never raises.
    """
    node = _event_node(topic)
    if node is None:
        return None
    found = _parsed(payload) if parse else None
    boot, seq = found if found is not None else _scanned(payload)
    if boot is None or seq is None or seq < 1:
        return None
    return DeliveryKey(node[0], node[1], boot, seq)


def nodes_of(topics: Iterable[str]) -> list[NodeKey]:
    """The nodes whose events are among ``topics``, sorted (a stable lock order)."""
    found: set[NodeKey] = set()
    for topic in topics:
        try:
            parsed = parse_topic(topic)
        except ContractError:
            continue
        if parsed.kind is TopicKind.EVENT and parsed.store is not None and parsed.node is not None:
            found.add((parsed.store, parsed.node))
    return sorted(found)


_RUNS = """
WITH b(store, node) AS (VALUES {values}),
f AS (
    SELECT b.store AS store, b.node AS node, coalesce(d.seq, 0) AS floor
    FROM b LEFT JOIN delivery_floors d ON d.store = b.store AND d.node = b.node
),
s AS (
    SELECT p.store AS store, p.node AS node, p.seq AS seq, p.boot AS boot
    FROM processed_events p JOIN f ON p.store = f.store AND p.node = f.node
    WHERE p.seq > f.floor AND p.seq <= f.floor + :window
    UNION ALL
    SELECT l.store, l.node, l.seq, l.boot
    FROM dead_letters l JOIN f ON l.store = f.store AND l.node = f.node
    WHERE l.seq > f.floor AND l.seq <= f.floor + :window
),
u AS (SELECT store, node, seq, max(boot) AS boot FROM s GROUP BY store, node, seq),
r AS (
    SELECT store, node, seq, boot,
           seq - row_number() OVER (PARTITION BY store, node ORDER BY seq) AS k
    FROM u
),
top AS (
    SELECT r.store AS store, r.node AS node, max(r.seq) AS seq FROM r
    JOIN f ON f.store = r.store AND f.node = r.node AND r.k = f.floor
    GROUP BY r.store, r.node
)
SELECT top.store, top.node, top.seq, coalesce(u.boot, 0) FROM top
JOIN u ON u.store = top.store AND u.node = top.node AND u.seq = top.seq
"""


def _raise_floors(session: Session, nodes: Sequence[NodeKey], now: datetime) -> None:
    """Raise the stored floor of each node to the top of its contiguous run of seqs."""
    values = ", ".join(f"(:s{i}, :n{i})" for i in range(len(nodes)))
    params: dict[str, Any] = {"window": WINDOW}
    for i, (store, node) in enumerate(nodes):
        params[f"s{i}"], params[f"n{i}"] = store, node
    tops = session.execute(text(_RUNS.format(values=values)), params).all()
    if not tops:
        return
    rows = [
        {"store": str(s), "node": str(n), "seq": int(q), "boot": int(b), "now": now}
        for s, n, q, b in tops
    ]
    session.execute(
        text(
            "INSERT INTO delivery_floors (store, node, boot, seq, updated_at)"
            " VALUES (:store, :node, :boot, :seq, :now)"
            " ON CONFLICT (store, node) DO UPDATE SET boot = excluded.boot,"
            " seq = excluded.seq, updated_at = excluded.updated_at"
            " WHERE delivery_floors.seq < excluded.seq"
        ).bindparams(bindparam("now", type_=DeliveryFloor.__table__.c.updated_at.type)),
        rows,
    )


def advance(session: Session, nodes: Sequence[NodeKey], now: datetime) -> list[Floor]:
    """Raise the floors of ``nodes`` from committed rows; every one of them that has a floor,
    in the caller's transaction."""
    if not nodes:
        return []
    _raise_floors(session, nodes, now)
    stmt = select(DeliveryFloor).where(
        tuple_(DeliveryFloor.store, DeliveryFloor.node).in_(list(nodes))
    )
    return [Floor(f.store, f.node, f.boot, f.seq) for f in session.scalars(stmt) if f.seq > 0]


class AckPublisher:
    """Raises the floors and publishes the acks of the nodes of committed batches, on its own
    ``ingest-acks`` thread: the apply thread only hands over the batch's topics, so its
    critical path is unchanged, and batches committed while a round runs share the next.

    The floor transaction commits without waiting for the disk (``synchronous_commit`` off on
    PostgreSQL): the floor is derived from rows already durable, so losing its last raise to a
    crash only means raising it again. A database error only delays acks (nodes re-send, the
    next round retries): it is logged, never raised.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]
    ) -> None:
        self._factory = session_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: set[NodeKey] = set()
        self._client: Any = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ingest-acks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, then publish what is still pending (the last batch's acks)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.flush()

    def submit(self, client: Any, topics: Iterable[str]) -> None:
        """After a batch committed (any thread): its nodes get acks on the next round."""
        nodes = nodes_of(topics)
        if not nodes:
            return
        with self._lock:
            self._pending.update(nodes)
            self._client = client
        self._wake.set()

    def after_commit(self, client: Any, topics: Iterable[str]) -> list[Floor]:
        """:meth:`submit` and :meth:`flush` at once, on the caller's thread."""
        self.submit(client, topics)
        return self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # never let acks stop for good; the nodes re-send meanwhile
                log.exception("publishing acks failed")

    def flush(self) -> list[Floor]:
        with self._lock:
            nodes, self._pending = sorted(self._pending), set()
            client = self._client
        if not nodes or client is None:
            return []
        try:
            with transaction(self._factory) as session:
                if session.get_bind().dialect.name == "postgresql":
                    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                floors = advance(session, nodes, self._clock())
        except SQLAlchemyError as exc:
            log.warning("acks of %d node(s) not published: %s", len(nodes), exc)
            return []
        for floor in floors:
            client.publish(floor.topic, floor.payload(), qos=1, retain=False)
        self.published += len(floors)
        return floors
