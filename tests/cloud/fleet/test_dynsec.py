"""The dynamic-security config and the live reconciliation plan (pure; the real broker runs in
tests/integration/test_hostile_node.py and test_acl_fleet.py)."""

from __future__ import annotations

import json

from cloud.fleet.acl import NodeGrant, ServiceGrant
from cloud.fleet.credentials import hash_password
from cloud.fleet.dynsec import (
    ADMIN_USER,
    LiveState,
    node_acls,
    node_role_name,
    parse_live,
    plan,
    render_config,
)

A = NodeGrant("demo", "kiosk-1", hash_password("a", salt=b"s" * 12, iterations=101))
B = NodeGrant("north", "shelf-1", hash_password("b", iterations=101))


def test_config_binds_each_node_to_its_id_and_denies_by_default() -> None:
    admin = ServiceGrant(ADMIN_USER, hash_password("x", iterations=101))
    config = json.loads(render_config([B, A], admin))
    assert set(config["defaultACLAccess"].values()) == {False, True}
    assert config["defaultACLAccess"]["subscribe"] is False
    assert config["defaultACLAccess"]["publishClientReceive"] is False
    kiosk = next(c for c in config["clients"] if c["username"] == "demo/kiosk-1")
    assert kiosk["clientid"] == "demo/kiosk-1"
    assert kiosk["roles"] == [{"rolename": "node:demo/kiosk-1"}]
    # the $7$ hash split into the plugin's fields
    assert kiosk["iterations"] == 101
    assert kiosk["salt"] == "c3Nzc3Nzc3Nzc3Nz"
    role = next(r for r in config["roles"] if r["rolename"] == "node:demo/kiosk-1")
    subs = sorted(a["topic"] for a in role["acls"] if a["acltype"] == "subscribePattern")
    assert subs == [
        "smartstore/v1/_cloud/state",
        "smartstore/v1/demo/kiosk-1/ack",
        "smartstore/v1/demo/kiosk-1/cmd/+",
        "smartstore/v1/demo/pricebook",
    ]
    assert all(a["allow"] for a in role["acls"])
    assert not any("#" in a["topic"] or a["topic"].startswith("$") for a in role["acls"])


def test_plan_deletes_revoked_clients_and_creates_fresh_ones() -> None:
    live = LiveState(
        frozenset({ADMIN_USER, "demo/kiosk-1", "gone/kiosk-9"}),
        {
            node_role_name("demo/kiosk-1"): node_acls("demo", "kiosk-1"),
            node_role_name("gone/kiosk-9"): node_acls("gone", "kiosk-9"),
        },
    )
    todo = plan([A, B], live, {"north/shelf-1": "pw"})
    assert todo.unrestorable == []
    assert [c["command"] for c in todo.commands] == [
        "deleteClient",  # gone/kiosk-9, revoked: deleting it disconnects it
        "createRole",
        "createClient",
        "deleteRole",
    ]
    assert todo.commands[0]["username"] == "gone/kiosk-9"
    created = todo.commands[2]
    assert (created["username"], created["clientid"], created["password"]) == (
        "north/shelf-1",
        "north/shelf-1",
        "pw",
    )
    # nothing to do when the broker already matches; the admin is never touched
    same = plan(
        [A],
        LiveState(
            frozenset({ADMIN_USER, "demo/kiosk-1"}),
            {node_role_name("demo/kiosk-1"): node_acls("demo", "kiosk-1")},
        ),
        {},
    )
    assert same.commands == []


def test_a_rotation_recreates_the_client_and_acl_drift_is_repaired() -> None:
    drifted = [
        *node_acls("demo", "kiosk-1")[1:],
        {"acltype": "subscribePattern", "topic": "#", "allow": True},
    ]
    live = LiveState(frozenset({"demo/kiosk-1"}), {node_role_name("demo/kiosk-1"): drifted})
    cmds = plan([A], live, {"demo/kiosk-1": "new"}).commands
    names = [c["command"] for c in cmds]
    assert names == ["deleteClient", "removeRoleACL", "addRoleACL", "createClient"]
    assert cmds[1]["topic"] == "#"
    assert cmds[2]["topic"] == "smartstore/v1/demo/kiosk-1/state"


def test_a_node_missing_live_without_a_fresh_password_must_be_rotated() -> None:
    assert plan([A], LiveState(frozenset()), {}).unrestorable == ["demo/kiosk-1"]


def test_parse_live_reads_verbose_and_plain_lists() -> None:
    responses = [
        {"command": "listClients", "data": {"clients": [{"username": "a/b"}, "c/d"]}},
        {"command": "listRoles", "data": {"roles": [{"rolename": "node:a/b", "acls": []}]}},
    ]
    live = parse_live(responses)
    assert live.clients == {"a/b", "c/d"}
    assert live.roles == {"node:a/b": []}
