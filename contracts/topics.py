"""The only place that builds or parses MQTT topics (layout in SPEC.md §3).

``smartstore/v1/{store}/{node}/state``            retained node state, will says offline
``smartstore/v1/{store}/{node}/evt/{type}``       enveloped events
``smartstore/v1/{store}/{node}/cmd/{name}``       commands to a node
``smartstore/v1/{store}/{node}/cmd/{name}/res``   command results
``smartstore/v1/{store}/{node}/ack``              the cloud's end-to-end ack (SPEC §4)
``smartstore/v1/{store}/pricebook``               retained price book
``smartstore/v1/_cloud/state``                    retained cloud ingest state
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from contracts.exceptions import TopicError

ROOT = "smartstore/v1"
CLOUD = "_cloud"
ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,31}"
NAME_PATTERN = r"[a-z][a-z0-9_]{0,31}"
_ID_RE = re.compile(rf"^{ID_PATTERN}$")
_NAME_RE = re.compile(rf"^{NAME_PATTERN}$")

CLOUD_STATE_TOPIC = f"{ROOT}/{CLOUD}/state"


class TopicKind(StrEnum):
    STATE = "state"
    EVENT = "evt"
    COMMAND = "cmd"
    COMMAND_RESULT = "res"
    ACK = "ack"
    PRICEBOOK = "pricebook"
    CLOUD_STATE = "cloud_state"


@dataclass(frozen=True, slots=True)
class ParsedTopic:
    """A topic taken apart; ``name`` is the event type or command name where there is one."""

    kind: TopicKind
    store: str | None = None
    node: str | None = None
    name: str | None = None


def validate_id(value: str, what: str = "id") -> str:
    """Store and node ids: lowercase letters, digits and dashes, at most 32 characters."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise TopicError(f"invalid {what} {value!r}: expected {ID_PATTERN}")
    return value


def validate_name(value: str, what: str = "name") -> str:
    """Event types and command names: lowercase words joined by underscores."""
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise TopicError(f"invalid {what} {value!r}: expected {NAME_PATTERN}")
    return value


def node_base(store: str, node: str) -> str:
    return f"{ROOT}/{validate_id(store, 'store')}/{validate_id(node, 'node')}"


def state_topic(store: str, node: str) -> str:
    return f"{node_base(store, node)}/state"


def event_topic(store: str, node: str, event_type: str) -> str:
    return f"{node_base(store, node)}/evt/{validate_name(event_type, 'event type')}"


def command_topic(store: str, node: str, name: str) -> str:
    return f"{node_base(store, node)}/cmd/{validate_name(name, 'command')}"


def command_result_topic(store: str, node: str, name: str) -> str:
    return f"{command_topic(store, node, name)}/res"


def ack_topic(store: str, node: str) -> str:
    """Where the cloud says up to which seq a node's events are applied (SPEC §4)."""
    return f"{node_base(store, node)}/ack"


def pricebook_topic(store: str) -> str:
    return f"{ROOT}/{validate_id(store, 'store')}/pricebook"


# Subscription filters -------------------------------------------------------------------


def events_filter(store: str = "+", node: str = "+", event_type: str = "+") -> str:
    """Filter for events; ``+`` wildcards by default (cloud ingest subscribes to all)."""
    parts = [_id_or_wild(store, "store"), _id_or_wild(node, "node")]
    etype = event_type if event_type == "+" else validate_name(event_type, "event type")
    return f"{ROOT}/{parts[0]}/{parts[1]}/evt/{etype}"


def states_filter(store: str = "+") -> str:
    return f"{ROOT}/{_id_or_wild(store, 'store')}/+/state"


def commands_filter(store: str, node: str) -> str:
    """What a node subscribes to for its commands (not the results)."""
    return f"{node_base(store, node)}/cmd/+"


def acks_filter(store: str = "+", node: str = "+") -> str:
    """The cloud's end-to-end acks; ``+`` wildcards by default (what ingest may write)."""
    return f"{ROOT}/{_id_or_wild(store, 'store')}/{_id_or_wild(node, 'node')}/ack"


def command_results_filter(store: str = "+", node: str = "+") -> str:
    return f"{ROOT}/{_id_or_wild(store, 'store')}/{_id_or_wild(node, 'node')}/cmd/+/res"


def shared(group: str, topic_filter: str) -> str:
    """MQTT 5 shared subscription: the group's members split the messages between them."""
    validate_name(group, "share group")
    return f"$share/{group}/{topic_filter}"


def _id_or_wild(value: str, what: str) -> str:
    return value if value == "+" else validate_id(value, what)


# Parsing ---------------------------------------------------------------------------------


def parse_topic(topic: str) -> ParsedTopic:
    """Take a concrete topic apart, validating every id; raises :class:`TopicError`."""
    if not isinstance(topic, str) or not topic.startswith(ROOT + "/"):
        raise TopicError(f"not a smartstore/v1 topic: {topic!r}")
    parts = topic[len(ROOT) + 1 :].split("/")
    if parts == [CLOUD, "state"]:
        return ParsedTopic(TopicKind.CLOUD_STATE)
    if len(parts) == 2 and parts[1] == "pricebook":
        return ParsedTopic(TopicKind.PRICEBOOK, store=validate_id(parts[0], "store"))
    if len(parts) < 3:
        raise TopicError(f"topic too short: {topic!r}")
    store = validate_id(parts[0], "store")
    node = validate_id(parts[1], "node")
    rest = parts[2:]
    if rest == ["state"]:
        return ParsedTopic(TopicKind.STATE, store, node)
    if rest == ["ack"]:
        return ParsedTopic(TopicKind.ACK, store, node)
    if len(rest) == 2 and rest[0] == "evt":
        return ParsedTopic(TopicKind.EVENT, store, node, validate_name(rest[1], "event type"))
    if len(rest) == 2 and rest[0] == "cmd":
        return ParsedTopic(TopicKind.COMMAND, store, node, validate_name(rest[1], "command"))
    if len(rest) == 3 and rest[0] == "cmd" and rest[2] == "res":
        return ParsedTopic(TopicKind.COMMAND_RESULT, store, node, validate_name(rest[1], "command"))
    raise TopicError(f"unknown topic layout: {topic!r}")
