"""Commands cloud → node with results and timeouts.

:class:`CommandTracker` is the pure core (no I/O, takes a clock): it builds commands, matches
results to them and times them out. :class:`CommandDispatcher` is the MQTT shell: it publishes
``contracts.messages.Command`` on ``.../cmd/{name}`` and collects ``CommandResult`` from
``command_results_filter()``. A command carries ``expires_at`` = its deadline, so a node that
comes back late refuses it instead of acting on a stale order (a kiosk unlocked an hour later).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cloud.fleet.exceptions import CommandError
from contracts.codec import decode_model, encode
from contracts.exceptions import ContractError
from contracts.messages import Command, CommandResult
from contracts.topics import (
    TopicKind,
    command_results_filter,
    command_topic,
    parse_topic,
    validate_id,
    validate_name,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

KNOWN_COMMANDS = ("tare", "lock", "unlock", "reload", "reload_config", "config", "zreport")
"""Commands the nodes implement; others are sent anyway (a node answers ``unknown command``)."""


class CommandStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"


@dataclass
class TrackedCommand:
    store: str
    node: str
    command: Command
    deadline: datetime
    status: CommandStatus = CommandStatus.PENDING
    result: CommandResult | None = None
    late_result: CommandResult | None = None

    @property
    def command_id(self) -> str:
        return self.command.command_id

    @property
    def done(self) -> bool:
        return self.status is not CommandStatus.PENDING


class CommandTracker:
    """Pending commands by id; results from the wrong node or unknown ids are ignored."""

    def __init__(self, clock: Clock, keep: int = 1000) -> None:
        self.clock = clock
        self.keep = keep
        self.commands: dict[str, TrackedCommand] = {}
        self.ignored = 0

    def issue(
        self,
        store: str,
        node: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout_s: float = 10.0,
        issued_by: str | None = None,
    ) -> TrackedCommand:
        validate_id(store, "store")
        validate_id(node, "node")
        validate_name(name, "command")
        if timeout_s <= 0:
            raise CommandError("timeout must be positive")
        now = self.clock()
        deadline = now + timedelta(seconds=timeout_s)
        command = Command(
            command_id=uuid.uuid4().hex,
            name=name,
            args=args or {},
            issued_at=now,
            expires_at=deadline,
            issued_by=issued_by,
        )
        tracked = TrackedCommand(store, node, command, deadline)
        self.commands[command.command_id] = tracked
        self._forget_old()
        return tracked

    def on_result(self, topic: str, payload: bytes) -> TrackedCommand | None:
        """Match a result message; returns the command it completed, None when ignored."""
        try:
            parsed = parse_topic(topic)
            if parsed.kind is not TopicKind.COMMAND_RESULT:
                raise ContractError(f"not a command result topic: {topic}")
            result = decode_model(CommandResult, payload)
        except ContractError as exc:
            self.ignored += 1
            log.warning("ignored command result on %s: %s", topic, exc)
            return None
        tracked = self.commands.get(result.command_id)
        if tracked is None or (parsed.store, parsed.node, parsed.name) != (
            tracked.store,
            tracked.node,
            tracked.command.name,
        ):
            self.ignored += 1
            log.warning("result %s on %s matches no command sent", result.command_id, topic)
            return None
        if tracked.done:
            tracked.late_result = result
            return None
        tracked.result = result
        tracked.status = CommandStatus.OK if result.ok else CommandStatus.FAILED
        return tracked

    def expire(self) -> list[TrackedCommand]:
        """Pending commands past their deadline become TIMEOUT."""
        now = self.clock()
        expired = [t for t in self.commands.values() if not t.done and t.deadline <= now]
        for tracked in expired:
            tracked.status = CommandStatus.TIMEOUT
        return expired

    def _forget_old(self) -> None:
        if len(self.commands) <= self.keep:
            return
        finished = [cid for cid, t in self.commands.items() if t.done]
        for cid in finished[: len(self.commands) - self.keep]:
            del self.commands[cid]


class CommandDispatcher:
    """The MQTT shell around :class:`CommandTracker`; ``start`` before ``send``."""

    def __init__(
        self,
        client: Any,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        tick_s: float = 0.1,
    ) -> None:
        self.client = client
        self.tracker = CommandTracker(clock)
        self._cv = threading.Condition()
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._tick_s = tick_s
        self._ticker: threading.Thread | None = None
        self.on_done: Callable[[TrackedCommand], None] | None = None
        client.on_connect = self._on_connect
        client.on_disconnect = lambda *_a: self._connected.clear()
        client.on_message = self._on_message

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> tuple[CommandDispatcher, Any]:
        """A dispatcher on a new paho client from :class:`cloud.settings.CloudSettings`."""
        from cloud.mqtt import make_client

        client, address, _ = make_client(settings, role="commands")
        return cls(client, **kwargs), address

    def start(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            raise CommandError(f"not connected to {host}:{port} after {timeout:g}s")
        self._ticker = threading.Thread(target=self._tick, name="cmd-timeouts", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(5)
        self.client.disconnect()
        self.client.loop_stop()

    def send(
        self,
        store: str,
        node: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout_s: float = 10.0,
        issued_by: str | None = None,
    ) -> TrackedCommand:
        if not self._connected.is_set():
            raise CommandError("dispatcher is not connected to the broker")
        with self._cv:
            tracked = self.tracker.issue(
                store, node, name, args, timeout_s=timeout_s, issued_by=issued_by
            )
        info = self.client.publish(command_topic(store, node, name), encode(tracked.command), qos=1)
        if info.rc != 0:
            with self._cv:
                tracked.status = CommandStatus.FAILED
            raise CommandError(f"publish of {name} to {store}/{node} failed (rc {info.rc})")
        log.info("sent %s to %s/%s (%s)", name, store, node, tracked.command_id)
        return tracked

    def wait(self, tracked: TrackedCommand, timeout: float | None = None) -> TrackedCommand:
        """Block until the command has a result or timed out (its own deadline by default)."""
        limit = (
            timeout
            if timeout is not None
            else ((tracked.deadline - self.tracker.clock()).total_seconds() + 5 * self._tick_s)
        )
        with self._cv:
            self._cv.wait_for(lambda: tracked.done, timeout=max(limit, 0.0))
        return tracked

    def run(
        self,
        store: str,
        node: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout_s: float = 10.0,
        issued_by: str | None = None,
    ) -> TrackedCommand:
        """Send and wait: the command's final state (ok, failed or timeout)."""
        return self.wait(
            self.send(store, node, name, args, timeout_s=timeout_s, issued_by=issued_by)
        )

    # paho callbacks and the timeout ticker -----------------------------------------------

    def _on_connect(self, client: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the command dispatcher: %s", reason)
            return
        _no_delay(client)
        client.subscribe(command_results_filter(), qos=1)
        self._connected.set()

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        with self._cv:
            done = self.tracker.on_result(msg.topic, bytes(msg.payload))
            if done is not None:
                self._cv.notify_all()
        if done is not None:
            log.info("%s on %s/%s: %s", done.command.name, done.store, done.node, done.status)
            self._notify(done)

    def _tick(self) -> None:
        while not self._stop.wait(self._tick_s):
            with self._cv:
                expired = self.tracker.expire()
                if expired:
                    self._cv.notify_all()
            for tracked in expired:
                log.warning(
                    "%s to %s/%s timed out", tracked.command.name, tracked.store, tracked.node
                )
                self._notify(tracked)

    def _notify(self, tracked: TrackedCommand) -> None:
        if self.on_done is not None:
            try:
                self.on_done(tracked)
            except Exception:
                log.exception("command observer failed")


def _no_delay(client: Any) -> None:
    """Nagle + delayed ACK add ~40 ms to each small request/response; commands are latency."""
    import socket

    sock = client.socket()
    if sock is not None and hasattr(sock, "setsockopt"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            log.debug("TCP_NODELAY not available on this socket")
