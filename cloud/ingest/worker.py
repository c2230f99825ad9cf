"""The MQTT shell of ingest: receive, validate, hand batches to the pipeline, ack after commit.

Three threads, so Python work overlaps the database's: paho's network thread only queues
messages (``manual_ack=True``); a decode thread validates them (contracts, the sale fast
path) while the apply thread waits on PostgreSQL for the previous batch; the apply thread
takes up to ``batch_size`` validated messages, lets :class:`Pipeline` commit them in one
transaction, then acknowledges them (one write for the whole batch). Batches are applied
and committed one at a time, in arrival order. Acks carry the connection generation: a
message received before a reconnect is never acknowledged on the new connection (the
broker redelivers it instead). Decision: docs/decisions/0024. After the PUBACKs, the nodes of
the batch get their end-to-end acks from an ``ingest-acks`` thread (:mod:`cloud.ingest.acks`,
SPEC §4).
"""

from __future__ import annotations

import logging
import os
import queue
import struct
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker

from cloud.ingest import paho_fast
from cloud.ingest.acks import AckPublisher
from cloud.ingest.exceptions import SubscriptionRefusedError, TransientError
from cloud.ingest.ledger import DeliveryLedger
from cloud.ingest.pipeline import Inbound, Pipeline, inspect
from cloud.ingest.retained import end_sweep, from_sweep, start_sweep
from cloud.ingest.subscriptions import subscriptions
from cloud.mqtt import connect_properties, make_client, resolve_protocol
from cloud.settings import CloudSettings
from contracts.codec import decode_model, encode
from contracts.exceptions import ContractError
from contracts.messages import CloudState
from contracts.strict import Limits, payload_digest, screen
from contracts.topics import CLOUD_STATE_TOPIC

log = logging.getLogger(__name__)

_PUBACK = 0x40
_YIELD_EVERY = 8
"""The decode thread offers the GIL after this many messages (≈0.2 ms), so the apply
thread, back from a database wait, resumes at once instead of after the 5 ms switch
interval: with ~8 round trips per batch that wait would cost more than the overlap gains."""


FATAL_EXIT_CODE = 70
"""EX_SOFTWARE: an ingest thread died; systemd (Restart=on-failure) starts a fresh process."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def exit_process(exc: BaseException) -> None:
    """A worker missing a thread would hold its share of the chain unapplied while looking
    alive (issue 15): end the whole process at once so the supervisor restarts it."""
    log.critical("ingest thread died (%s: %s); exiting", type(exc).__name__, exc)
    logging.shutdown()
    os._exit(FATAL_EXIT_CODE)


def limits_of(settings: CloudSettings) -> Limits:
    return Limits(
        max_bytes=settings.ingest_max_message_bytes,
        max_depth=settings.ingest_max_depth,
        max_future_skew_s=settings.ingest_max_future_skew_s,
        max_extra_bytes=settings.ingest_max_extra_bytes,
    )


class IngestWorker:
    def __init__(
        self,
        settings: CloudSettings,
        session_factory: sessionmaker[Session],
        *,
        batch_size: int = 256,
        max_wait_s: float = 0.02,
        client_id: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        on_fatal: Callable[[BaseException], None] = exit_process,
        ledger: DeliveryLedger | None = None,
    ) -> None:
        self.settings = settings
        self.limits = limits_of(settings)
        self.pipeline = Pipeline(session_factory, clock=clock, limits=self.limits)
        self.ledger = ledger or DeliveryLedger(settings.ingest_ledger_path)
        self._on_fatal = on_fatal
        self.fatal: BaseException | None = None
        self.acks = AckPublisher(session_factory, clock)
        self._batch_size = batch_size
        self._max_wait_s = max_wait_s
        self.batches = 0
        self._client_id = client_id
        self._clock = clock
        self._inbox: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._refused: set[tuple[str, str]] = set()  # retained events already refused
        self._sweep: threading.Timer | None = None
        self._queue: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._decoder: threading.Thread | None = None
        self._room = threading.Event()  # set by the apply thread when it takes a batch
        self._stop = threading.Event()
        self._connected = threading.Event()  # set once the broker acknowledged our subscribe
        self._subscribe_mid = -1
        self._generation = 0
        self._client: Any = None
        self._thread: threading.Thread | None = None
        self.acked = 0

    # lifecycle -----------------------------------------------------------------------------

    def start(self, connect_timeout: float = 10.0) -> None:
        started = time.monotonic()
        paho_fast.use(self.settings.ingest_lean_decode)  # the network thread's GIL (0260)
        self.settings = resolve_protocol(self.settings, connect_timeout)  # settles "auto"
        client, address, persistent = make_client(
            self.settings, role="ingest", manual_ack=True, client_id=self._client_id
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.will_set(CLOUD_STATE_TOPIC, encode(CloudState(online=False)), qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client = client
        kwargs: dict[str, Any] = {"keepalive": 30}
        props = connect_properties(persistent, self.settings.mqtt_protocol)
        if self.settings.mqtt_protocol == "5":
            kwargs["clean_start"] = not persistent
            if props is not None:
                kwargs["properties"] = props
        client.connect_async(address.host, address.port, **kwargs)
        client.loop_start()
        self._decoder = threading.Thread(
            target=self._guarded(self._decode), name="ingest-decode", daemon=True
        )
        self._decoder.start()
        self._thread = threading.Thread(
            target=self._guarded(self._run), name="ingest-apply", daemon=True
        )
        self._thread.start()
        self.acks.start()
        if not self._connected.wait(max(0.5, connect_timeout - (time.monotonic() - started))):
            log.warning("ingest not connected to %s yet; retrying in the background", address)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch, say offline (another worker will answer online), leave."""
        self._stop.set()
        for thread in (self._decoder, self._thread):
            if thread is not None:
                thread.join(timeout)
        self.acks.stop()
        client = self._client
        if client is not None:
            end_sweep(client, self._sweep)
            if self._connected.is_set():
                info = client.publish(
                    CLOUD_STATE_TOPIC, encode(CloudState(online=False, ts=self._clock())), 1, True
                )
                info.wait_for_publish(2.0)
            client.disconnect()
            client.loop_stop()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def _guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        """Run a thread's body; anything it does not handle ends the process (``on_fatal``)."""

        def run() -> None:
            try:
                target()
            except BaseException as exc:
                self._die(exc)

        return run

    def _die(self, exc: BaseException) -> None:
        log.critical("ingest thread %s died", threading.current_thread().name, exc_info=exc)
        self.fatal = exc
        self._stop.set()
        self._on_fatal(exc)

    # paho callbacks (network thread) ---------------------------------------------------------

    def _on_connect(self, client: Any, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused ingest: %s", reason)
            return
        self._generation += 1
        s, topics = self.settings, subscriptions(self.settings)
        _rc, self._subscribe_mid = client.subscribe(topics)
        if s.ingest_shared and s.mqtt_protocol == "5":
            self._sweep = start_sweep(client)  # retained events a shared subscription misses
        self._publish_online(client)
        log.info(
            "ingest connected (generation %d), subscribing to %s", self._generation, topics[0][0]
        )

    def _on_subscribe(self, _c: Any, _ud: Any, mid: int, reasons: Any, _props: Any) -> None:
        """Connected means subscribed: events published from now on are routed to us."""
        if mid != self._subscribe_mid:
            return  # the retained sweep's own subscription
        refused = [str(r) for r in reasons if getattr(r, "is_failure", False)]
        if refused:
            self._die(SubscriptionRefusedError(f"broker refused ingest's subscriptions: {refused}"))
            return
        self._connected.set()

    def _on_disconnect(self, _c: Any, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("ingest disconnected: %s; reconnecting", reason)

    def _on_message(self, client: Any, _ud: Any, msg: Any) -> None:
        try:
            self._receive(client, msg)
        except BaseException as exc:  # paho would end its network thread: end the process
            self._die(exc)

    def _receive(self, client: Any, msg: Any) -> None:
        payload = bytes(msg.payload)
        if msg.topic == CLOUD_STATE_TOPIC:
            client.ack(msg.mid, msg.qos)
            try:
                screen(payload, self.limits)
                online = decode_model(CloudState, payload).online
            except ContractError:
                online = False
            if not online and not self._stop.is_set():
                self._publish_online(client)  # another worker left; this one is still here
            return
        retained = bool(msg.retain) and "/evt/" in msg.topic
        if not retained and from_sweep(msg):
            client.ack(msg.mid, msg.qos)  # a live copy: the shared subscription has it too
            return
        if retained and payload:
            key = (msg.topic, payload_digest(payload))
            if key in self._refused:  # the same copy through the sweep and the shared filter
                client.ack(msg.mid, msg.qos)
                return
            if len(self._refused) > 10_000:
                self._refused.clear()
            self._refused.add(key)
            # refused, and cleared so it is not handed to every new subscriber again
            client.publish(msg.topic, b"", qos=1, retain=True)
        elif retained:
            client.ack(msg.mid, msg.qos)  # our own clearing message
            return
        token = (self._generation, msg.mid, msg.qos)
        self._inbox.put(Inbound(msg.topic, payload, token, retained=retained))

    def _publish_online(self, client: Any) -> None:
        client.publish(
            CLOUD_STATE_TOPIC, encode(CloudState(online=True, ts=self._clock())), 1, True
        )

    # decode thread ---------------------------------------------------------------------------

    def _decode(self) -> None:
        """Screen, validate and check messages in arrival order (:func:`inspect`, once each)
        while the apply thread waits on the database. A message that failed goes on with its
        reason; one that killed two workers goes on unparsed (the ledger counts)."""
        n = 0
        ahead = 2 * self._batch_size
        while not self._stop.is_set():
            # Stay at most two batches ahead: decoding the broker's whole backlog would only
            # grow the heap (each sale is ~40 tracked objects) and the GC's passes over it.
            while self._queue.qsize() >= ahead and not self._stop.is_set():
                self._room.wait(0.05)
                self._room.clear()
            try:
                msg = self._inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            self._queue.put(self._inspect(msg))
            n += 1
            if n % _YIELD_EVERY == 0:
                time.sleep(0)  # offer the GIL (see _YIELD_EVERY)

    def _inspect(self, msg: Inbound) -> Inbound:
        digest = payload_digest(msg.payload)
        crashes = self.ledger.count(digest)
        if self.ledger.is_poison(digest):
            reason = f"killed the ingest worker {crashes} times; not parsed again"
            return Inbound(
                msg.topic, msg.payload, msg.token, None, reason, True, digest, unparsed=True
            )
        self.ledger.mark((digest,))
        checked = inspect(
            Inbound(msg.topic, msg.payload, msg.token, digest=digest, retained=msg.retained),
            self.limits,
            self._clock(),
        )
        self.ledger.unmark((digest,))
        return checked

    # apply thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        sweep_every = min(30.0, max(1.0, self.settings.device_timeout_s / 4))
        next_sweep = time.monotonic() + sweep_every
        while not self._stop.is_set():
            batch = self._take_batch()
            suspects = [m for m in batch if self.ledger.is_suspect(m.digest)]
            if suspects:  # each alone: the next crash names the culprit, not its batch
                batch = [m for m in batch if not self.ledger.is_suspect(m.digest)]
                for msg in suspects:
                    self._process_until_done([msg])
            if batch:
                self._process_until_done(batch)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + sweep_every
                try:
                    self.pipeline.sweep(self.settings.device_timeout_s)
                except TransientError as exc:
                    log.warning("device sweep skipped: %s", exc)

    def _take_batch(self) -> list[Inbound]:
        """Up to ``batch_size`` messages, waiting at most ``max_wait_s`` after the first for
        more: a commit costs the same for 1 event as for 256, so under load a few ms of
        latency buys far fewer commits; when idle, a lone event waits ``max_wait_s``."""
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self._max_wait_s
        while len(batch) < self._batch_size:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        self.batches += 1
        self._room.set()
        return batch

    def _process_until_done(self, batch: list[Inbound]) -> None:
        delay = 0.2
        self.ledger.mark(m.digest for m in batch)
        while True:
            try:
                self.pipeline.process(batch)
                break
            except TransientError as exc:
                if self._stop.is_set():
                    self.ledger.unmark(m.digest for m in batch)  # a clean stop, not a crash
                    return  # unacknowledged: the broker redelivers to the next session
                log.warning(
                    "batch of %d not committed (%s); retrying in %.1fs", len(batch), exc, delay
                )
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
        self._ack(batch)
        self.ledger.done(m.digest for m in batch)
        self.acks.submit(self._client, [msg.topic for msg in batch])

    def _ack(self, batch: list[Inbound]) -> None:
        """PUBACK every committed message of the current connection, as one socket write.

        paho's ``ack`` queues one 4-byte packet per message, each waking its network thread
        and costing a ``send`` (and a TCP segment, with Nagle off) here and a read in the
        broker. The PUBACKs go out back to back instead, through paho's packet queue, which
        is what ``ack`` itself calls; without it (another paho) each message is acked alone.
        """
        client = self._client
        pubacks: list[bytes] = []
        for msg in batch:
            generation, mid, qos = cast(tuple[int, int, int], msg.token)
            if generation != self._generation or qos == 0:
                continue
            if qos == 1:
                pubacks.append(struct.pack("!BBH", _PUBACK, 2, mid))
            else:
                client.ack(mid, qos)
        queue_packet = getattr(client, "_packet_queue", None)
        if pubacks and queue_packet is not None:
            queue_packet(_PUBACK, b"".join(pubacks), 0, 0)
        else:
            for packet in pubacks:
                client.ack(struct.unpack("!H", packet[2:])[0], 1)
        self.acked += len(batch)
