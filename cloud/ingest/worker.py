"""The MQTT shell of ingest: receive, hand batches to the pipeline, acknowledge after commit.

paho's network thread only queues messages (``manual_ack=True``); one processing thread
takes up to ``batch_size`` of them, lets :class:`Pipeline` commit them in one transaction,
then sends each PUBACK. Acks carry the connection generation: a message received before a
reconnect is never acknowledged on the new connection (the broker redelivers it instead).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker

from cloud.ingest.exceptions import TransientError
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.mqtt import connect_properties, make_client
from cloud.settings import CloudSettings
from contracts.exceptions import ContractError
from contracts.messages import CloudState, decode_model, encode
from contracts.topics import CLOUD_STATE_TOPIC, events_filter, shared, states_filter

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
    ) -> None:
        self.settings = settings
        self.pipeline = Pipeline(session_factory, clock=clock)
        self._batch_size = batch_size
        self._max_wait_s = max_wait_s
        self.batches = 0
        self._client_id = client_id
        self._clock = clock
        self._queue: queue.Queue[Inbound] = queue.Queue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._generation = 0
        self._client: Any = None
        self._thread: threading.Thread | None = None
        self.acked = 0

    # lifecycle -----------------------------------------------------------------------------

    def start(self, connect_timeout: float = 10.0) -> None:
        client, address, persistent = make_client(
            self.settings, role="ingest", manual_ack=True, client_id=self._client_id
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
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
        self._thread = threading.Thread(target=self._run, name="ingest-apply", daemon=True)
        self._thread.start()
        if not self._connected.wait(connect_timeout):
            log.warning("ingest not connected to %s yet; retrying in the background", address)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch, say offline (another worker will answer online), leave."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        client = self._client
        if client is not None:
            if self._connected.is_set():
                info = client.publish(
                    CLOUD_STATE_TOPIC, encode(CloudState(online=False, ts=self._clock())), 1, True
                )
                info.wait_for_publish(2.0)
            client.disconnect()
            client.loop_stop()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    # paho callbacks (network thread) ---------------------------------------------------------

    def _on_connect(self, client: Any, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused ingest: %s", reason)
            return
        self._generation += 1
        s = self.settings
        events = events_filter()
        if s.ingest_shared:
            events = shared(s.ingest_group, events)
        # states are not shared: retained messages are never sent to shared subscriptions
        client.subscribe([(events, 1), (states_filter(), 1), (CLOUD_STATE_TOPIC, 1)])
        self._publish_online(client)
        self._connected.set()
        log.info("ingest connected (generation %d), subscribed to %s", self._generation, events)

    def _on_disconnect(self, _c: Any, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("ingest disconnected: %s; reconnecting", reason)

    def _on_message(self, client: Any, _ud: Any, msg: Any) -> None:
        if msg.topic == CLOUD_STATE_TOPIC:
            client.ack(msg.mid, msg.qos)
            try:
                online = decode_model(CloudState, msg.payload).online
            except ContractError:
                online = False
            if not online and not self._stop.is_set():
                self._publish_online(client)  # another worker left; this one is still here
            return
        token = (self._generation, msg.mid, msg.qos)
        # Validation stays on the apply thread: done here it overlapped the database wait but
        # cost ~40% more CPU in GIL hand-offs and halved throughput (bench/ingest.py).
        self._queue.put(Inbound(msg.topic, bytes(msg.payload), token))

    def _publish_online(self, client: Any) -> None:
        client.publish(
            CLOUD_STATE_TOPIC, encode(CloudState(online=True, ts=self._clock())), 1, True
        )

    # processing thread -----------------------------------------------------------------------

    def _run(self) -> None:
        sweep_every = min(30.0, max(1.0, self.settings.device_timeout_s / 4))
        next_sweep = time.monotonic() + sweep_every
        while not self._stop.is_set():
            batch = self._take_batch()
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
        return batch

    def _process_until_done(self, batch: list[Inbound]) -> None:
        delay = 0.2
        while True:
            try:
                self.pipeline.process(batch)
                break
            except TransientError as exc:
                if self._stop.is_set():
                    return  # unacknowledged: the broker redelivers to the next session
                log.warning(
                    "batch of %d not committed (%s); retrying in %.1fs", len(batch), exc, delay
                )
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
        for msg in batch:
            generation, mid, qos = cast(tuple[int, int, int], msg.token)
            if generation == self._generation and qos > 0:
                self._client.ack(mid, qos)
        self.acked += len(batch)
