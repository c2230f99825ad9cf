"""Which node state wins: the rule every consumer of ``.../state`` applies (edge-free, pure).

MQTT gives no order between a dead session's last will and a new session's retained
"online": a node that lost power and came back under a new client id, or a half-open TCP
connection the broker only drops after 1.5 × keepalive, publishes "offline" *after* the new
boot said "online". The ``boot`` counter (Sparkplug's bdSeq idea) settles it: a state from an
older boot never overrides a newer boot's.

A node whose outbox file was wiped restarts at boot 1; the cloud must forget its device
state (re-provisioning) for it to be believed again.
"""

from __future__ import annotations

from contracts.messages import NodeState


def is_newer_state(current: NodeState | None, incoming: NodeState) -> bool:
    """True when ``incoming`` should replace ``current``.

    Same boot: the later message wins (online → offline is that session ending). Older boot:
    a late will or a stale retained message, ignored.
    """
    if current is None:
        return True
    return incoming.boot >= current.boot


def apply_state(current: NodeState | None, incoming: NodeState) -> NodeState:
    """The state to keep after ``incoming`` arrives."""
    if current is None or is_newer_state(current, incoming):
        return incoming
    return current
