"""Handlers for inbound messages that never raise: malformed input is logged and counted.

The link already survives a handler's exception, but a node must also say *why* it ignored
a message. These wrappers decode with ``contracts`` and log the reason instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from contracts.codec import decode_model, encode
from contracts.exceptions import ContractError
from contracts.messages import Command, CommandResult
from contracts.pricebook import PriceBook, decode_pricebook
from contracts.topics import TopicKind, command_result_topic, parse_topic
from edge.config import NodeIdentity

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Publish = Callable[[str, bytes], bool]
CommandFn = Callable[[Command], dict[str, Any]]


class Rejections:
    """Counts rejected messages per reason kind, for state and tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.last_reason: str | None = None

    def reject(self, topic: str, reason: str) -> None:
        with self._lock:
            self.count += 1
            self.last_reason = reason
        log.warning("rejected message on %s: %s", topic, reason)


def model_handler(
    model: type[M], handler: Callable[[str, M], None], rejections: Rejections | None = None
) -> Callable[[str, bytes], None]:
    """Decode the payload as ``model``; on a contract error log the reason and drop it."""
    sink = rejections or Rejections()

    def handle(topic: str, payload: bytes) -> None:
        try:
            message = decode_model(model, payload)
        except ContractError as exc:
            sink.reject(topic, str(exc))
            return
        handler(topic, message)

    return handle


def pricebook_handler(
    store: str, handler: Callable[[PriceBook], None], rejections: Rejections | None = None
) -> Callable[[str, bytes], None]:
    """Decode a price book; refuse one for another store than its topic or ours."""
    sink = rejections or Rejections()

    def handle(topic: str, payload: bytes) -> None:
        try:
            parsed = parse_topic(topic)
            if parsed.kind is not TopicKind.PRICEBOOK or parsed.store != store:
                raise ContractError(f"not our price book topic (store {store})")
            book = decode_pricebook(payload)
            if book.store != store:
                raise ContractError(f"price book for store {book.store!r} on {store!r}'s topic")
        except ContractError as exc:
            sink.reject(topic, str(exc))
            return
        handler(book)

    return handle


class CommandRouter:
    """Routes ``.../cmd/{name}`` to registered functions and publishes a result for each.

    Unknown, expired, misaddressed or malformed commands are answered (when they carry an id)
    and logged; a failing command function becomes ``ok: false``, never a crash.
    """

    def __init__(
        self,
        identity: NodeIdentity,
        publish: Publish,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.identity = identity
        self.publish = publish
        self.clock = clock
        self.commands: dict[str, CommandFn] = {}
        self.rejections = Rejections()

    def register(self, name: str, fn: CommandFn) -> None:
        self.commands[name] = fn

    def __call__(self, topic: str, payload: bytes) -> None:
        try:
            parsed = parse_topic(topic)
        except ContractError as exc:
            self.rejections.reject(topic, str(exc))
            return
        if parsed.kind is not TopicKind.COMMAND or parsed.name is None:
            self.rejections.reject(topic, "not a command topic")
            return
        if (parsed.store, parsed.node) != (self.identity.store, self.identity.node):
            self.rejections.reject(topic, f"addressed to {parsed.store}/{parsed.node}, not us")
            return
        try:
            command = decode_model(Command, payload)
        except ContractError as exc:
            self.rejections.reject(topic, str(exc))
            return
        error = self._refusal(parsed.name, command)
        if error is not None:
            self.rejections.reject(topic, error)
            self._reply(parsed.name, command, ok=False, error=error)
            return
        try:
            result = self.commands[command.name](command)
        except Exception as exc:
            log.exception("command %s (%s) failed", command.name, command.command_id)
            self._reply(parsed.name, command, ok=False, error=f"{type(exc).__name__}: {exc}")
            return
        self._reply(parsed.name, command, ok=True, result=result)

    def _refusal(self, topic_name: str, command: Command) -> str | None:
        if command.name != topic_name:
            return f"command name {command.name!r} disagrees with topic {topic_name!r}"
        if command.name not in self.commands:
            return f"unknown command {command.name!r}"
        if command.expires_at is not None and command.expires_at <= self.clock():
            return f"command expired at {command.expires_at.isoformat()}"
        return None

    def _reply(
        self,
        name: str,
        command: Command,
        *,
        ok: bool,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        reply = CommandResult(
            command_id=command.command_id,
            ok=ok,
            result=result or {},
            error=error,
            completed_at=self.clock(),
        )
        topic = command_result_topic(self.identity.store, self.identity.node, name)
        if not self.publish(topic, encode(reply)):
            log.warning("result of command %s not published (disconnected)", command.command_id)
