"""Device commands from the console: a ``contracts.messages.Command`` on ``command_topic``.

Behind a small Protocol so tests and the demo can swap the MQTT sender for a memory one;
the MQTT sender connects lazily on first use (nothing at import or app build time) and
waits for the broker's PUBACK, so the console only reports "sent" when the broker has it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from cloud.settings import CloudSettings
from cloud.web.exceptions import CommandError
from contracts.codec import encode
from contracts.messages import Command
from contracts.topics import command_topic

log = logging.getLogger(__name__)

COMMANDS = ("tare", "lock", "unlock", "reload")
COMMAND_TTL = timedelta(minutes=5)


class CommandSender(Protocol):
    def send(self, topic: str, payload: bytes) -> None: ...


def build_command(
    store: str, node: str, name: str, *, now: datetime, by: str, args: dict[str, Any] | None = None
) -> tuple[str, Command]:
    """The topic and the payload; unknown command names are refused before any I/O."""
    if name not in COMMANDS:
        raise CommandError(f"unknown command {name!r}")
    command = Command(
        command_id=str(uuid.uuid4()),
        name=name,
        args=args or {},
        issued_at=now,
        expires_at=now + COMMAND_TTL,
        issued_by=by,
    )
    return command_topic(store, node, name), command


def send_command(sender: CommandSender, topic: str, command: Command) -> None:
    try:
        sender.send(topic, encode(command))
    except CommandError:
        raise
    except Exception as exc:  # any transport failure is reported on the page, not a 500
        raise CommandError(f"broker did not take the command: {exc}") from exc


@dataclass
class MemorySender:
    """Keeps what was sent (tests, and consoles running without a broker)."""

    sent: list[tuple[str, bytes]] = field(default_factory=list)

    def send(self, topic: str, payload: bytes) -> None:
        self.sent.append((topic, payload))


class MqttSender:
    """QoS 1, not retained: a command must not fire again when a node reconnects later."""

    def __init__(self, settings: CloudSettings, timeout_s: float = 5.0) -> None:
        self._settings = settings
        self._timeout_s = timeout_s
        self._client: Any = None
        self._lock = threading.Lock()

    def _connected(self) -> Any:
        with self._lock:
            if self._client is None:
                from cloud.mqtt import make_client

                client, address, _ = make_client(self._settings, role="console")
                client.connect(address.host, address.port, keepalive=30)
                client.loop_start()
                self._client = client
            return self._client

    def send(self, topic: str, payload: bytes) -> None:
        info = self._connected().publish(topic, payload, qos=1, retain=False)
        info.wait_for_publish(self._timeout_s)
        if not info.is_published():
            raise CommandError(f"command on {topic} not acknowledged by the broker")
        log.info("command sent on %s", topic)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.disconnect()
                self._client.loop_stop()
                self._client = None
