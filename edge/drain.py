"""Drains the outbox to the broker: seq order, bounded in-flight, live ahead of backlog.

On every connection the rows that existed before it (``seq <= backlog_upto``, taken when the
link reports the connection, not when this thread next wakes) are the backlog: replayed
flagged ``historical`` at ``replay_rate`` per second, so a long outage does not flood the
cloud, while rows appended after the connection (live) go out first and at once.
A row is marked sent only on a successful PUBACK (reason code < 0x80); a negative
acknowledgement leaves it unsent until the next connection. With ``require_subscriber`` an
MQTT 5 PUBACK "no matching subscribers" (0x10: no ingest is subscribed, so nobody will ever
get it) also leaves the row unsent; sending pauses and the unsent rows are replayed after a
backoff, as if on a new connection.

Sent is not delivered (SPEC §4): a row leaves the outbox only when the cloud's end-to-end ack
on ``.../ack`` covers it (:meth:`on_cloud_ack`). Once the backlog is replayed, rows the
broker took but the cloud never acked within the adaptive timeout of :mod:`edge.acks` are
re-sent, flagged ``historical``, at most ``replay_rate`` per second and within the in-flight
window, the timeout doubling after each round; so a broker that lost its disk, or a worker
that died holding messages, costs a delay, never an event.

paho calls ``on_publish`` from its loop thread while holding its own lock, so the callback
only queues the ack; the drain thread alone touches the in-flight map (no lock ordering).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from edge.acks import ResendTimer
from edge.config import OutboxSettings
from edge.outbox import Outbox, OutboxRow, as_historical

log = logging.getLogger(__name__)

COMPACT_EVERY_S = 300.0
NO_MATCHING_SUBSCRIBERS = 0x10
UNROUTED_RETRY_MIN_S = 0.5
UNROUTED_RETRY_MAX_S = 15.0


class Drainer:
    """The ``link-pub`` thread of a :class:`~edge.link.Link`."""

    def __init__(
        self, outbox: Outbox, settings: OutboxSettings, monotonic: Any = time.monotonic
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self._monotonic = monotonic
        self._wake = threading.Event()
        # (client, mid, refused, unrouted, reason)
        self._acks: queue.SimpleQueue[tuple[mqtt.Client, int, bool, bool, str]] = (
            queue.SimpleQueue()
        )
        self._cloud_acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.timer = ResendTimer.from_settings(settings)
        self._round_rto: float | None = None  # the timeout of the re-send round under way
        self._round_sent: set[int] = set()  # seqs it re-sent: once per round, even if nacked
        # the connection to publish on, and the last seq that existed when it came up
        self._target: tuple[mqtt.Client, int] | None = None
        self._held = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.counters = {
            "published": 0,
            "historical": 0,
            "nacked": 0,
            "unrouted": 0,
            "errors": 0,
            "resent": 0,
            "acked": 0,
        }
        self._retry_at: float | None = None  # replay unsent rows then (unrouted rows)
        self._retry_delay = UNROUTED_RETRY_MIN_S

    # Signals from the link (any thread) ----------------------------------------------------

    def on_publish(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        unrouted = reason_code.value == NO_MATCHING_SUBSCRIBERS
        self._acks.put((client, mid, reason_code.is_failure, unrouted, str(reason_code)))
        self._wake.set()

    def on_cloud_ack(self, seq: int) -> None:
        """The cloud applied (or dead-lettered) every event up to ``seq`` (any thread)."""
        self._cloud_acks.put(seq)
        self._wake.set()

    def connected(self, client: mqtt.Client) -> None:
        """A new connection: rows committed so far are its backlog, later ones are live."""
        self._target = (client, self.outbox.last_seq)
        self._wake.set()

    def disconnected(self) -> None:
        self._target = None
        self._wake.set()

    def hold(self, held: bool) -> None:
        """Pause new publishes (the cloud says it is offline); in-flight ones still complete."""
        self._held = held
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self.outbox.add_listener(self._wake.set)
        self._thread = threading.Thread(target=self._run, name="link-pub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.outbox.remove_listener(self._wake.set)

    # The drain thread -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except Exception:
            log.exception("outbox drain thread failed")
            raise

    def _loop(self) -> None:
        client: mqtt.Client | None = None
        connection: tuple[mqtt.Client, int] | None = None  # a new one per connection
        inflight: dict[int, int] = {}
        live_cursor = backlog_upto = hist_cursor = 0
        rate = self.settings.replay_rate
        burst = max(1.0, rate * 0.1)
        tokens = 0.0
        refilled = last_compact = next_resend = self._monotonic()
        timeout = 1.0
        while True:
            self._wake.wait(timeout)
            self._wake.clear()
            timeout = 1.0
            self._apply_acks(client, inflight)
            self._apply_cloud_acks()
            if self._stopping:
                return
            target = self._target
            if target is not connection:
                connection, inflight, client = target, {}, None
                if target is not None:
                    client, backlog_upto = target
                    live_cursor = backlog_upto
                    hist_cursor, tokens = 0, 0.0
                    refilled = self._monotonic()
            now = self._monotonic()
            if now - last_compact > COMPACT_EVERY_S:
                last_compact = now
                self._compact()
            if client is None or self._held:
                continue
            if self._retry_at is not None:
                if now < self._retry_at:
                    timeout = min(timeout, self._retry_at - now)
                    continue
                # replay what was not routed, as on a new connection
                self._retry_at = None
                backlog_upto = live_cursor = self.outbox.last_seq
                hist_cursor, tokens = 0, 0.0
            room = self.settings.inflight - len(inflight)
            rows = self.outbox.fetch_unacked(live_cursor, room)
            live_cursor = self._send(client, rows, inflight, live_cursor, historical=False)
            room = self.settings.inflight - len(inflight)
            if room <= 0:
                continue
            tokens = min(burst, tokens + (now - refilled) * rate)
            refilled = now
            if hist_cursor >= backlog_upto:  # replayed: re-send what stays unacked
                if self.settings.end_to_end_acks and now >= next_resend and tokens >= 1:
                    tokens -= self._resend(client, inflight, live_cursor, min(room, int(tokens)))
                    pause = 0.0 if self._round_rto is not None else self.timer.rto / 4
                    next_resend = now + min(1.0, pause)
                timeout = min(timeout, max(0.01, next_resend - now))
                continue
            if tokens < 1:
                timeout = (1 - tokens) / rate
                continue
            rows = self.outbox.fetch_unacked(hist_cursor, min(room, int(tokens)), backlog_upto)
            if not rows:
                hist_cursor = backlog_upto
                log.info("backlog up to seq %d replayed", backlog_upto)
                continue
            hist_cursor = self._send(client, rows, inflight, hist_cursor, historical=True)
            tokens -= len(rows)

    def _resend(self, client: mqtt.Client, inflight: dict[int, int], upto: int, limit: int) -> int:
        """Re-send rows up to ``upto`` unacked for longer than the timeout; how many went.

        A round re-sends every row due when it started, ``limit`` (rate, window) at a time;
        the timeout doubles once per round, not per chunk, so a thousand rows a dead worker
        took go out in seconds, and the same rows again only after twice the wait.
        """
        rto = self._round_rto if self._round_rto is not None else self.timer.rto
        skip = set(inflight.values()) | self._round_sent
        due = [
            row
            for row in self.outbox.due_for_resend(rto, upto, limit + len(skip))
            if row.seq not in skip
        ][:limit]
        if not due:
            self._round_rto = None
            self._round_sent = set()
            return 0
        if self._round_rto is None:
            self._round_rto = rto
            self.timer.backoff()
            log.warning("rows from seq %d unacked after %.1fs; re-sending", due[0].seq, rto)
        self._round_sent.update(row.seq for row in due)
        self._send(client, due, inflight, 0, historical=True)
        self.counters["resent"] += len(due)
        return len(due)

    def _apply_cloud_acks(self) -> None:
        best = None
        while True:
            try:
                seq = self._cloud_acks.get_nowait()
            except queue.Empty:
                break
            best = seq if best is None else max(best, seq)
        if best is None:
            return
        try:
            result = self.outbox.ack(best)
        except Exception:
            self.counters["errors"] += 1
            log.exception("could not record the cloud's ack of seq %d; it will come again", best)
            return
        self.counters["acked"] += result.acked
        if result.latency_s is not None:
            self.timer.sample(result.latency_s)

    def _send(
        self,
        client: mqtt.Client,
        rows: list[OutboxRow],
        inflight: dict[int, int],
        cursor: int,
        *,
        historical: bool,
    ) -> int:
        for row in rows:
            payload = as_historical(row.payload) if historical else row.payload
            try:
                info = client.publish(row.topic, payload, qos=1)
            except ValueError as exc:  # e.g. larger than the broker allows: skip, keep unsent
                self.counters["errors"] += 1
                log.error("cannot publish seq %d on %s: %s", row.seq, row.topic, exc)
                cursor = row.seq
                continue
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break  # connection gone; the next connection starts over from the outbox
            inflight[info.mid] = row.seq
            cursor = row.seq
            self.counters["published"] += 1
            if historical:
                self.counters["historical"] += 1
        return cursor

    def _apply_acks(self, client: mqtt.Client | None, inflight: dict[int, int]) -> None:
        done: list[int] = []
        while True:
            try:
                acked_by, mid, failed, unrouted, reason = self._acks.get_nowait()
            except queue.Empty:
                break
            if acked_by is not client:
                continue  # an ack of an earlier connection: the row is resent anyway
            seq = inflight.pop(mid, None)
            if seq is None:
                continue  # state or publish_now messages
            if failed:
                self.counters["nacked"] += 1
                log.warning("broker refused seq %d: %s (kept for the next connection)", seq, reason)
            elif unrouted and self.settings.require_subscriber:
                self.counters["unrouted"] += 1
                if self._retry_at is None:
                    self._retry_at = self._monotonic() + self._retry_delay
                    log.warning(
                        "seq %d reached no subscriber (no cloud ingest?); retrying in %.1fs",
                        seq,
                        self._retry_delay,
                    )
                    self._retry_delay = min(self._retry_delay * 2, UNROUTED_RETRY_MAX_S)
            else:
                done.append(seq)
                self._retry_delay = UNROUTED_RETRY_MIN_S
        if done:
            try:
                self.outbox.mark_sent(done, delivered=not self.settings.end_to_end_acks)
            except Exception:
                self.counters["errors"] += 1
                log.exception("could not mark %d rows sent; they will be sent again", len(done))

    def _compact(self) -> None:
        try:
            removed = self.outbox.compact()
        except Exception:
            log.exception("outbox compaction failed")
            return
        if removed:
            log.info("compacted %d sent outbox rows", removed)
