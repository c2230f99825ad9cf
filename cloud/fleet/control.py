"""Talk to a running Mosquitto's dynamic-security plugin over ``$CONTROL`` (the thin shell
around ``cloud.fleet.dynsec``): one connection per fleet change, as the fleet's admin."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from cloud.fleet import dynsec
from cloud.fleet.acl import NodeGrant
from cloud.fleet.exceptions import ReloadError
from cloud.settings.fleet import DynsecControl

log = logging.getLogger(__name__)

# commands per message: a fleet of thousands is reconciled in messages of bounded size
BATCH = 100


class ControlClient:
    """Sends command batches and waits for the plugin's answer to each."""

    def __init__(self, config: DynsecControl, password: str) -> None:
        self.config = config
        self.password = password

    def _request(self, client: mqtt.Client, commands: list[dynsec.Command]) -> list[Any]:
        answered = threading.Event()
        box: list[Any] = []

        def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
            try:
                box.extend(json.loads(msg.payload)["responses"])
            except (ValueError, KeyError, TypeError):
                box.append({"error": "unreadable response"})
            answered.set()

        client.on_message = on_message
        client.publish(dynsec.CONTROL_TOPIC, json.dumps({"commands": commands}), qos=1)
        if not answered.wait(self.config.timeout_s):
            raise ReloadError(
                f"no answer from the broker's dynamic-security plugin ({commands[0]})"
            )
        return box

    def run(self, commands: list[dynsec.Command]) -> list[dict[str, Any]]:
        """Every command's response, in order; ReloadError on a refused login or an error."""
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"{dynsec.ADMIN_USER}-{secrets.token_hex(6)}",
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        client.username_pw_set(dynsec.ADMIN_USER, self.password)
        if self.config.ca_file is not None:
            client.tls_set(ca_certs=str(self.config.ca_file))
        connack: list[Any] = []
        connected = threading.Event()

        def on_connect(_c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
            connack.append(rc)
            connected.set()

        client.on_connect = on_connect
        try:
            client.connect(self.config.host, self.config.port)
        except OSError as exc:
            raise ReloadError(f"cannot reach the broker at {self.config.host}: {exc}") from exc
        client.loop_start()
        try:
            if not connected.wait(self.config.timeout_s) or connack[0].is_failure:
                raise ReloadError(f"the broker refused the fleet's admin login: {connack}")
            # one connection, processed in order: the SUBSCRIBE precedes every command
            client.subscribe(dynsec.RESPONSE_TOPIC, qos=1)
            responses: list[dict[str, Any]] = []
            for start in range(0, len(commands), BATCH):
                responses += self._request(client, commands[start : start + BATCH])
        finally:
            client.disconnect()
            client.loop_stop()
        failed = [r for r in responses if r.get("error")]
        if failed:
            raise ReloadError(f"dynamic-security refused: {failed[:3]}")
        return responses


def apply_live(
    config: DynsecControl, password: str, nodes: list[NodeGrant], fresh: dict[str, str]
) -> list[str]:
    """Reconcile the live broker with ``nodes``; returns the nodes that need a rotation."""
    client = ControlClient(config, password)
    live = dynsec.parse_live(client.run(dynsec.SNAPSHOT_COMMANDS))
    todo = dynsec.plan(nodes, live, fresh)
    if todo.commands:
        client.run(todo.commands)
    log.info("dynamic-security: %d commands applied", len(todo.commands))
    for username in todo.unrestorable:
        log.warning("%s is missing on the live broker: rotate its password", username)
    return todo.unrestorable
