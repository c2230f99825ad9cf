"""The nodes' listener under Mosquitto's dynamic-security plugin (pure, no I/O).

Mosquitto 2.0's ``acl_file`` grants every SUBSCRIBE (``topic deny`` and ``pattern`` lines
included; it checks deliveries only), so a stolen node password could join the ingest's
shared group and take its share of every store's events (decision 0171). The plugin checks
SUBSCRIBE against roles and answers "Not authorized" (0x87) in the SUBACK. Each node gets a
client bound to its client id and one role of explicit allows; everything else is denied by
default, deliveries included.

The plugin keeps its own JSON and rereads it only at start (SIGHUP does not), and it rewrites
the file from memory after each change. So the fleet renders the file for the broker's start
(``render_config``) and brings a running broker to the registry over ``$CONTROL``
(``plan``): the live state is reconciled on every change, never patched blindly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloud.fleet.acl import NodeGrant, ServiceGrant
from contracts.topics import (
    CLOUD_STATE_TOPIC,
    ack_topic,
    command_results_filter,
    commands_filter,
    events_filter,
    pricebook_topic,
    state_topic,
)

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = f"{CONTROL_TOPIC}/response"
ADMIN_USER = "fleet-admin"
"""The fleet's own login on the nodes' listener (no ``/``: never a node's name)."""
ADMIN_ROLE = "fleet-admin"
NODE_ROLE_PREFIX = "node:"

# deny by default, deliveries too: a mistake in a subscribe allow still leaks nothing
DEFAULT_ACCESS = {
    "publishClientSend": False,
    "publishClientReceive": False,
    "subscribe": False,
    "unsubscribe": True,
}

Acl = dict[str, Any]
Command = dict[str, Any]


def _acl(kind: str, topic: str) -> Acl:
    return {"acltype": kind, "topic": topic, "priority": 0, "allow": True}


def node_role_name(username: str) -> str:
    return NODE_ROLE_PREFIX + username


def node_acls(store: str, node: str) -> list[Acl]:
    """The same rights as ``acl.node_acl_lines``: write its own state, events and command
    results; subscribe to and receive its commands, its acks, its store's price book and
    the cloud's state. No ``$share``, no ``#``, nothing of another node or store."""
    sends = [
        state_topic(store, node),
        events_filter(store, node),
        command_results_filter(store, node),
    ]
    reads = [commands_filter(store, node), ack_topic(store, node), pricebook_topic(store)]
    reads.append(CLOUD_STATE_TOPIC)
    acls = [_acl("publishClientSend", t) for t in sends]
    for topic in reads:
        acls += [_acl("subscribePattern", topic), _acl("publishClientReceive", topic)]
    return acls


def admin_acls() -> list[Acl]:
    topic = "$CONTROL/dynamic-security/#"
    kinds = ("publishClientSend", "publishClientReceive", "subscribePattern")
    return [_acl(kind, topic) for kind in kinds]


def _hash_fields(password_hash: str) -> dict[str, Any]:
    """``$7$iterations$salt$hash`` (credentials.hash_password) as the plugin stores it."""
    _, seven, iterations, salt, digest = password_hash.split("$")
    if seven != "7":
        raise ValueError("not a Mosquitto $7$ hash")
    return {"password": digest, "salt": salt, "iterations": int(iterations)}


def render_config(nodes: Iterable[NodeGrant], admin: ServiceGrant) -> str:
    """The plugin's JSON for the broker's start: one bound client and one role per node."""
    grants = sorted(nodes, key=lambda g: g.username)
    clients = [
        {
            "username": admin.username,
            "roles": [{"rolename": ADMIN_ROLE}],
            **_hash_fields(admin.password_hash),
        }
    ]
    roles: list[dict[str, Any]] = [{"rolename": ADMIN_ROLE, "acls": admin_acls()}]
    for g in grants:
        role = node_role_name(g.username)
        clients.append(
            {
                "username": g.username,
                "clientid": g.username,
                "roles": [{"rolename": role}],
                **_hash_fields(g.password_hash),
            }
        )
        roles.append({"rolename": role, "acls": node_acls(g.store, g.node)})
    config = {"defaultACLAccess": DEFAULT_ACCESS, "clients": clients, "groups": [], "roles": roles}
    return json.dumps(config, indent=1) + "\n"


@dataclass(frozen=True, slots=True)
class LiveState:
    """What ``listClients``/``listRoles`` (verbose) said: usernames and each role's ACLs."""

    clients: frozenset[str]
    roles: Mapping[str, list[Acl]] = field(default_factory=dict)


def parse_live(responses: list[dict[str, Any]]) -> LiveState:
    clients: set[str] = set()
    roles: dict[str, list[Acl]] = {}
    for resp in responses:
        data = resp.get("data") or {}
        for c in data.get("clients", []):
            clients.add(c["username"] if isinstance(c, dict) else c)
        for r in data.get("roles", []):
            if isinstance(r, dict):
                roles[r["rolename"]] = r.get("acls", [])
    return LiveState(frozenset(clients), roles)


SNAPSHOT_COMMANDS: list[Command] = [
    {"command": "listClients", "verbose": True},
    {"command": "listRoles", "verbose": True},
]


def _acl_key(acl: Acl) -> tuple[str, str, bool]:
    return (acl["acltype"], acl["topic"], bool(acl.get("allow", False)))


def _role_commands(name: str, want: list[Acl], live: LiveState) -> list[Command]:
    if name not in live.roles:
        return [{"command": "createRole", "rolename": name, "acls": want}]
    have = {_acl_key(a) for a in live.roles[name]}
    need = {_acl_key(a) for a in want}
    out: list[Command] = [
        {"command": "removeRoleACL", "rolename": name, "acltype": t, "topic": topic}
        for t, topic, _ in sorted(have - need)
    ]
    out += [
        {"command": "addRoleACL", "rolename": name, "acltype": t, "topic": topic, "allow": allow}
        for t, topic, allow in sorted(need - have)
    ]
    return out


@dataclass(frozen=True, slots=True)
class Plan:
    commands: list[Command]
    unrestorable: list[str]
    """Active nodes the live broker lacks and whose password only the registry's hash
    knows (the plugin takes plain passwords): rotate them (``device provision --rotate``)."""


def plan(nodes: Iterable[NodeGrant], live: LiveState, fresh: Mapping[str, str]) -> Plan:
    """Commands that bring the live broker to ``nodes``. ``fresh`` holds the plain passwords
    issued by this change: a rotated node is deleted (which disconnects it) and created
    again. Revoked or unknown node clients are deleted, which disconnects them at once."""
    grants = {g.username: g for g in nodes}
    drop = sorted(u for u in live.clients if u != ADMIN_USER and u not in grants)
    cmds: list[Command] = [{"command": "deleteClient", "username": u} for u in drop]
    cmds += [{"command": "deleteClient", "username": u} for u in sorted(fresh) if u in live.clients]
    unrestorable: list[str] = []
    for username, g in sorted(grants.items()):
        cmds += _role_commands(node_role_name(username), node_acls(g.store, g.node), live)
        if username in fresh:
            cmds.append(
                {
                    "command": "createClient",
                    "username": username,
                    "password": fresh[username],
                    "clientid": username,
                    "roles": [{"rolename": node_role_name(username)}],
                }
            )
        elif username not in live.clients:
            unrestorable.append(username)
    stale = {node_role_name(u) for u in grants}
    cmds += [
        {"command": "deleteRole", "rolename": r}
        for r in sorted(live.roles)
        if r.startswith(NODE_ROLE_PREFIX) and r not in stale
    ]
    return Plan(cmds, unrestorable)
