"""From raw MQTT messages to committed rows: validate, apply in batches, dead-letter.

The MQTT shell hands over a batch and acknowledges it only when :meth:`Pipeline.process`
returns (everything committed: applied events and dead letters alike). A batch that fails
for a data reason is retried one message per transaction so one bad message cannot block
the others; a database outage raises :class:`TransientError` and nothing is acknowledged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.ingest import service
from cloud.ingest.apply import Accepted, apply_batch
from cloud.ingest.exceptions import RejectedError, TransientError
from cloud.ingest.registry import DeviceRegistry
from cloud.updates import service as updates
from contracts.codec import Event, decode_event_from, decode_model
from contracts.exceptions import ContractError, MessageError
from contracts.messages import NodeState
from contracts.strict import (
    INT32_MAX,
    Limits,
    body_digest,
    check_event,
    payload_digest,
    screen,
)
from contracts.topics import TopicKind, parse_topic

log = logging.getLogger(__name__)
TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received message; ``token`` is whatever the shell needs to acknowledge it.

    After :func:`inspect` (``checked``), ``decoded`` is the validated event or ``rejection``
    the reason it is a dead letter: nothing parses the bytes again after that.
    """

    topic: str
    payload: bytes
    token: object = field(default=None, compare=False)
    decoded: Event | None = field(default=None, compare=False, repr=False)
    rejection: str | None = field(default=None, compare=False)
    checked: bool = field(default=False, compare=False)
    digest: str = field(default="", compare=False)
    body: str = field(default="", compare=False)
    retained: bool = field(default=False, compare=False)
    unparsed: bool = field(default=False, compare=False)
    """It killed workers (the delivery ledger): dead-lettered without parsing it again."""


def inspect(msg: Inbound, limits: Limits | None = None, now: datetime | None = None) -> Inbound:
    """Screen, decode and check a message exactly once; never raises.

    The worker's decode thread runs it ahead of :meth:`Pipeline.process`, overlapping the
    apply thread's database waits; the pipeline runs it on messages that did not go through.
    """
    limits = limits or Limits()
    digest = msg.digest or payload_digest(msg.payload)
    decoded, body, reason = None, "", None
    try:
        parsed = parse_topic(msg.topic)
        kind = parsed.kind
        if kind is TopicKind.EVENT and msg.retained:
            reason = "retained message on an event topic (refused; the retained copy is cleared)"
        elif kind in (TopicKind.EVENT, TopicKind.STATE):
            screen(msg.payload, limits)
        if kind is TopicKind.EVENT and reason is None:
            decoded, typed = decode_event_from(parsed, msg.topic, msg.payload)
            size = len(msg.payload)
            check_event(decoded, now or _utcnow(), limits, size, msg.payload, money_typed=typed)
            body = body_digest(decoded)
    except ContractError as exc:
        decoded, reason = None, str(exc)
    except Exception as exc:  # a pathological payload a parser choked on: a dead letter too
        log.warning("message on %s undecodable", msg.topic, exc_info=True)
        decoded, reason = None, f"undecodable: {type(exc).__name__}: {exc}"[:500]
    return Inbound(  # not dataclasses.replace, which costs a few µs per message
        topic=msg.topic,
        payload=msg.payload,
        token=msg.token,
        decoded=decoded,
        rejection=reason,
        checked=True,
        digest=digest,
        body=body,
        retained=msg.retained,
        unparsed=msg.unparsed,
    )


def predecode(topic: str, payload: bytes, token: object = None) -> Inbound:
    """:func:`inspect` with default limits (the bench times the stages apart)."""
    return inspect(Inbound(topic, payload, token))


def accept(
    session: Session,
    registry: DeviceRegistry,
    topic: str,
    payload: bytes,
    event: Event | None = None,
    body: str = "",
) -> Accepted:
    """Validate an event message against its topic, the contracts and the device registry.

    ``event`` is the message already decoded by :func:`inspect`, if it was.
    """
    if event is None:
        checked = inspect(Inbound(topic, payload))
        if checked.rejection is not None or checked.decoded is None:
            raise RejectedError(checked.rejection or f"not an event topic: {topic}")
        event, body = checked.decoded, checked.body
    env = event.envelope
    ids = registry.lookup(session, env.store, env.node)
    if ids is None:
        raise RejectedError(f"unknown device {env.store}/{env.node}")
    return Accepted(event=event, store_id=ids[0], device_id=ids[1], body=body or body_digest(event))


def stored_payload(payload: bytes, limit: int) -> bytes:
    """What a dead letter keeps: the raw bytes, or their first ``limit`` bytes when longer
    (the reason says so and the digest names the whole message)."""
    return payload if len(payload) <= limit else payload[:limit]


class Pipeline:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = _utcnow,
        registry: DeviceRegistry | None = None,
        touch_interval_s: float = 5.0,
        limits: Limits | None = None,
    ) -> None:
        self._factory = session_factory
        self.limits = limits or Limits()
        self._clock = clock
        self.registry = registry or DeviceRegistry()
        self._touch_interval_s = touch_interval_s
        self._touched: dict[int, float] = {}
        self.applied = 0
        self.dead_lettered = 0

    def process(self, messages: Sequence[Inbound]) -> None:
        """Commit the effect of every message (applied or dead-lettered), or raise Transient."""
        if not messages:
            return
        try:
            self._process(messages)
        except TRANSIENT as exc:
            raise TransientError(f"database unavailable: {exc}") from exc
        except Exception as exc:
            if len(messages) > 1:
                log.warning("batch of %d failed (%s); retrying one by one", len(messages), exc)
                for message in messages:
                    self.process([message])
                return
            log.exception("message on %s failed; dead-lettered", messages[0].topic)
            self._dead_letter_alone(messages[0], f"apply failed: {type(exc).__name__}: {exc}")

    def _process(self, messages: Sequence[Inbound]) -> None:
        now = self._clock()
        with transaction(self._factory) as session:
            accepted: list[Accepted] = []
            accepted_from: list[Inbound] = []
            rejected: list[tuple[Inbound, str]] = []
            for msg in messages:
                if not msg.checked:
                    msg = inspect(msg, self.limits, now)
                if msg.rejection is not None:
                    rejected.append((msg, msg.rejection))
                elif msg.decoded is not None:
                    try:
                        accepted.append(
                            accept(
                                session,
                                self.registry,
                                msg.topic,
                                msg.payload,
                                msg.decoded,
                                msg.body,
                            )
                        )
                        accepted_from.append(msg)
                    except RejectedError as exc:
                        rejected.append((msg, str(exc)))
                elif parse_topic(msg.topic).kind is TopicKind.STATE:
                    self._apply_state(session, msg, now)
                else:
                    log.debug("ignored message on %s", msg.topic)
            result = apply_batch(session, accepted, now)
            self._touch(session, [a.device_id for a in accepted], now)
            if result.conflicts:
                source = {id(a): msg for a, msg in zip(accepted, accepted_from, strict=True)}
                rejected.extend((source[id(a)], reason) for a, reason in result.conflicts)
            for msg, reason in rejected:
                log.warning("dead letter from %s: %s", msg.topic, reason)
                self._record(session, msg, reason, now)
        self.applied += result.count
        self.dead_lettered += len(rejected)

    def _record(self, session: Session, msg: Inbound, reason: str, now: datetime) -> None:
        """The raw bytes (cut to the size limit), the reason and the digest of the whole."""
        kept = stored_payload(msg.payload, self.limits.max_bytes)
        if len(kept) < len(msg.payload):
            reason = f"{reason} (first {len(kept)} of {len(msg.payload)} bytes kept)"
        digest = msg.digest or payload_digest(msg.payload)
        service.record_dead_letter(
            session,
            msg.topic,
            kept,
            reason,
            now,
            digest=digest,
            whole=msg.payload,
            parse=not msg.unparsed,
        )

    def _apply_state(self, session: Session, msg: Inbound, now: datetime) -> None:
        parsed = parse_topic(msg.topic)
        if parsed.store is None or parsed.node is None:
            return
        try:
            state = decode_model(NodeState, msg.payload)
            if state.boot > INT32_MAX:  # devices.boot is an INTEGER column
                raise MessageError(f"boot {state.boot} out of range")
        except ContractError as exc:
            log.warning("ignored bad state on %s: %s", msg.topic, exc)
            return
        device = devices.find_device(session, parsed.store, parsed.node)
        if device is None:
            log.info("state from unregistered device %s/%s ignored", parsed.store, parsed.node)
            return
        if devices.apply_state(session, device, state, now) and state.update is not None:
            updates.record_report(session, device, state.update, now)
        self._touched.pop(device.id, None)

    def _touch(self, session: Session, device_ids: list[int], now: datetime) -> None:
        mono = time.monotonic()
        due = sorted(
            {d for d in device_ids if mono - self._touched.get(d, -1e9) >= self._touch_interval_s}
        )
        if due:
            devices.touch(session, due, now)
            for d in due:
                self._touched[d] = mono

    def _dead_letter_alone(self, msg: Inbound, reason: str) -> None:
        try:
            with transaction(self._factory) as session:
                self._record(session, msg, reason, self._clock())
        except TRANSIENT as exc:
            raise TransientError(f"database unavailable: {exc}") from exc
        self.dead_lettered += 1

    def sweep(self, timeout_s: float) -> int:
        """Mark silent devices offline; returns how many changed."""
        try:
            with transaction(self._factory) as session:
                changed = devices.sweep_offline(session, self._clock(), timeout_s)
        except TRANSIENT as exc:
            raise TransientError(f"database unavailable: {exc}") from exc
        for device in changed:
            self._touched.pop(device.id, None)
        return len(changed)
