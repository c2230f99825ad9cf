"""One call that gives a node its update agent: ``cmd/update``, self-test, state report.

Both node kinds (and the update acceptance test's light nodes) wire it the same way: the
self-test reads the link and outbox (plus the node's own device probes and UI URL), the
agent's report rides in the retained state, the running version (``current``'s name) is the
node's ``software_version``, and a restart is a SIGTERM to ourselves: the runtime stops every
service in order and systemd (``Restart=always``) starts the switched version.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Mapping
from typing import Any

from contracts.codec import encode
from contracts.topics import state_topic
from edge.config import UpdateSettings
from edge.updates.agent import UpdateAgent
from edge.updates.health import (
    SelfTest,
    broker_connected,
    device_answers,
    outbox_draining,
    ui_serving,
)

log = logging.getLogger(__name__)


def restart_by_sigterm() -> None:
    """Ask our own runtime for a clean stop; the service manager starts us again."""
    os.kill(os.getpid(), signal.SIGTERM)


def self_test(
    link: Any,
    outbox: Any,
    devices: Mapping[str, Callable[[], bool]] | None = None,
    ui_url: str | None = None,
) -> SelfTest:
    test = SelfTest()
    test.add("broker", broker_connected(link))
    test.add("outbox", outbox_draining(outbox))
    for name, probe in (devices or {}).items():
        test.add(name, device_answers(name, probe))
    if ui_url:
        test.add("ui", ui_serving(ui_url))
    return test


def wire_updates(
    settings: UpdateSettings | None,
    *,
    kind: str,
    link: Any,
    router: Any,
    outbox: Any,
    idle: Callable[[], bool],
    devices: Mapping[str, Callable[[], bool]] | None = None,
    restart: Callable[[], None] = restart_by_sigterm,
) -> UpdateAgent | None:
    """``link`` an ``edge.link.Link``, ``router`` an ``edge.inbound.CommandRouter``; None when
    the node has no ``updates:`` section (add the agent to the node's services otherwise)."""
    if settings is None:
        return None

    def republish() -> None:
        topic = state_topic(link.identity.store, link.identity.node)
        link.publish_now(topic, encode(link.node_state(online=True)), retain=True)

    agent = UpdateAgent(
        settings,
        kind=kind,
        selftest=self_test(link, outbox, devices, settings.ui_url),
        idle=idle,
        restart=restart,
        on_change=republish,
    )
    agent.register(router)
    if agent.running is not None:
        link.software_version = agent.running
    previous = link.state_extra

    def state_extra() -> dict[str, Any]:
        return {**(previous() if previous is not None else {}), **agent.state_extra()}

    link.state_extra = state_extra
    log.info("updates on %s (running %s)", settings.root, agent.running or "unknown")
    return agent
