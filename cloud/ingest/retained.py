"""Retained messages on event topics: refused, dead-lettered once, cleared.

Events are never retained (SPEC §3), yet any node may set the flag. A shared subscription
gets no retained copies, only live publishes (seen as retained thanks to retain-as-published,
cloud/ingest/worker.py); what a node retained while no worker was up is found by a short
sweep after each connect: a plain subscription to every event topic, tagged with a
subscription identifier, whose retained copies are refused and cleared and whose live copies
are dropped (the shared subscription delivers those), then unsubscribed.
"""

from __future__ import annotations

import threading
from typing import Any

from contracts.topics import events_filter

SWEEP_ID = 15
SWEEP_SECONDS = 2.0


def start_sweep(client: Any) -> threading.Timer:
    """Subscribe to every event topic for ``SWEEP_SECONDS`` to collect retained copies; the
    returned timer ends it (:func:`end_sweep` ends it sooner, before a clean disconnect, so a
    persistent session does not keep the plain subscription)."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.subscribeoptions import SubscribeOptions

    props = Properties(PacketTypes.SUBSCRIBE)  # type: ignore[no-untyped-call]
    props.SubscriptionIdentifier = SWEEP_ID
    options = SubscribeOptions(qos=1, retainAsPublished=True)
    client.subscribe(events_filter(), options=options, properties=props)
    timer = threading.Timer(SWEEP_SECONDS, client.unsubscribe, (events_filter(),))
    timer.daemon = True
    timer.start()
    return timer


def end_sweep(client: Any, timer: threading.Timer | None) -> None:
    if timer is not None and timer.is_alive():
        timer.cancel()
        client.unsubscribe(events_filter())


def from_sweep(msg: Any) -> bool:
    props = getattr(msg, "properties", None)
    ids = getattr(props, "SubscriptionIdentifier", None) or []
    return SWEEP_ID in ids
