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
from cloud.devices import repository as device_repo
from cloud.devices import service as devices
from cloud.ingest import service
from cloud.ingest.apply import Accepted, apply_batch
from cloud.ingest.exceptions import RejectedError, TransientError
from cloud.ingest.registry import DeviceRegistry
from contracts.exceptions import ContractError
from contracts.messages import Event, NodeState, decode_event, decode_model
from contracts.topics import TopicKind, parse_topic

log = logging.getLogger(__name__)
TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received message; ``token`` is whatever the shell needs to acknowledge it.

    ``decoded`` is the event already validated by :func:`predecode`, if the shell did so.
    """

    topic: str
    payload: bytes
    token: object = field(default=None, compare=False)
    decoded: Event | None = field(default=None, compare=False, repr=False)


def predecode(topic: str, payload: bytes, token: object = None) -> Inbound:
    """Validate an event ahead of :meth:`Pipeline.process`: the worker's decode thread does,
    overlapping the apply thread's database waits (the bench also times the stages apart).

    Never raises: a message that fails is passed on undecoded and the pipeline, decoding it
    again, dead-letters it with the reason.
    """
    decoded = None
    try:
        decoded = decode_event(topic, payload)  # "not an event topic" for states: undecoded
    except ContractError:
        pass
    except Exception:  # a pathological payload (e.g. nested too deep); the pipeline decides
        log.debug("predecode of %s failed", topic, exc_info=True)
    return Inbound(topic, payload, token, decoded)


def accept(
    session: Session,
    registry: DeviceRegistry,
    topic: str,
    payload: bytes,
    event: Event | None = None,
) -> Accepted:
    """Validate an event message against its topic, the contracts and the device registry.

    ``event`` is the message already decoded by :func:`predecode`, if it was.
    """
    if event is None:
        try:
            event = decode_event(topic, payload)
        except ContractError as exc:
            raise RejectedError(str(exc)) from exc
    env = event.envelope
    ids = registry.lookup(session, env.store, env.node)
    if ids is None:
        raise RejectedError(f"unknown device {env.store}/{env.node}")
    return Accepted(event=event, store_id=ids[0], device_id=ids[1])


class Pipeline:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = _utcnow,
        registry: DeviceRegistry | None = None,
        touch_interval_s: float = 5.0,
    ) -> None:
        self._factory = session_factory
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
                if msg.decoded is not None:
                    kind = TopicKind.EVENT
                else:
                    try:
                        kind = parse_topic(msg.topic).kind
                    except ContractError as exc:
                        rejected.append((msg, str(exc)))
                        continue
                if kind is TopicKind.STATE:
                    self._apply_state(session, msg, now)
                elif kind is TopicKind.EVENT:
                    try:
                        accepted.append(
                            accept(session, self.registry, msg.topic, msg.payload, msg.decoded)
                        )
                        accepted_from.append(msg)
                    except RejectedError as exc:
                        rejected.append((msg, str(exc)))
                else:
                    log.debug("ignored message on %s", msg.topic)
            result = apply_batch(session, accepted, now)
            self._touch(session, [a.device_id for a in accepted], now)
            if result.conflicts:
                source = {id(a): msg for a, msg in zip(accepted, accepted_from, strict=True)}
                rejected.extend((source[id(a)], reason) for a, reason in result.conflicts)
            for msg, reason in rejected:
                log.warning("dead letter from %s: %s", msg.topic, reason)
                service.record_dead_letter(session, msg.topic, msg.payload, reason, now)
        self.applied += result.count
        self.dead_lettered += len(rejected)

    def _apply_state(self, session: Session, msg: Inbound, now: datetime) -> None:
        parsed = parse_topic(msg.topic)
        if parsed.store is None or parsed.node is None:
            return
        try:
            state = decode_model(NodeState, msg.payload)
        except ContractError as exc:
            log.warning("ignored bad state on %s: %s", msg.topic, exc)
            return
        device = device_repo.by_store_node(session, parsed.store, parsed.node)
        if device is None:
            log.info("state from unregistered device %s/%s ignored", parsed.store, parsed.node)
            return
        devices.apply_state(session, device, state, now)
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
                service.record_dead_letter(session, msg.topic, msg.payload, reason, self._clock())
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
