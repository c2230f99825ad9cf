"""What an ingest worker subscribes to on each connection."""

from __future__ import annotations

from typing import Any

from cloud.settings import CloudSettings
from contracts.topics import CLOUD_STATE_TOPIC, events_filter, shared, states_filter


def subscriptions(settings: CloudSettings) -> list[tuple[str, Any]]:
    """Node events (shared among the workers when ``ingest_shared``), node states and the
    cloud state. States are not shared: retained messages never go to shared subscriptions."""
    events = events_filter()
    if settings.ingest_shared:
        events = shared(settings.ingest_group, events)
    return [(events, events_options(settings)), (states_filter(), 1), (CLOUD_STATE_TOPIC, 1)]


def events_options(settings: CloudSettings) -> Any:
    """QoS 1; on MQTT 5 with retain-as-published, so a retained event is seen as such and
    refused (a shared subscription never gets retained copies, only live ones)."""
    if settings.mqtt_protocol != "5":
        return 1
    from paho.mqtt.subscribeoptions import SubscribeOptions

    return SubscribeOptions(qos=1, retainAsPublished=True)
