"""Password hashes in Mosquitto's own format, usernames, and the rendered ACL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloud.fleet.acl import NodeGrant, ServiceGrant, render_acl, render_passwords
from cloud.fleet.credentials import (
    hash_password,
    node_username,
    service_username,
    split_username,
    verify_password,
)

# written by `mosquitto_passwd -b pw demo/kiosk-1 secret` (Mosquitto 2.0.11)
MOSQUITTO_LINE = (
    "demo/kiosk-1:$7$101$Rujvw3SG+2fQ+6CT$+i9DrXDEi9JMXq8ty5pmG0yhu1R2lDEh9incY7wLhJfwp4ZUvWmx3"
    "vnP6iozRu8V7X5WZSYliFFjOLlyvNYDdQ=="
)


def test_verifies_a_hash_written_by_mosquitto_passwd() -> None:
    user, hashed = MOSQUITTO_LINE.split(":", 1)
    assert user == node_username("demo", "kiosk-1")
    assert verify_password("secret", hashed)
    assert not verify_password("Secret", hashed)


@given(st.text(max_size=40), st.binary(min_size=12, max_size=12))
def test_hash_round_trip(password: str, salt: bytes) -> None:
    hashed = hash_password(password, salt=salt, iterations=101)
    assert hashed.startswith("$7$101$")
    assert verify_password(password, hashed)
    assert not verify_password(password + "x", hashed)


@given(st.text(max_size=120))
def test_malformed_hashes_never_verify_or_crash(hashed: str) -> None:
    assert verify_password("secret", hashed) is False


@pytest.mark.parametrize("bad", ["$7$0$AAAA$AAAA", "$6$101$a$b", "$7$x$a$b", "$7$101$!!$b", ""])
def test_specific_bad_hashes(bad: str) -> None:
    assert not verify_password("secret", bad)


def test_usernames() -> None:
    assert split_username("demo/kiosk-1") == ("demo", "kiosk-1")
    for bad in ("cloud-ingest", "demo/+", "demo/#", "Demo/x", "a/b/c"):
        assert split_username(bad) is None
    assert service_username("ingest") == "cloud-ingest"
    assert service_username("cloud-api") == "cloud-api"
    with pytest.raises(ValueError):
        node_username("demo", "kiosk/1")
    with pytest.raises(ValueError):
        node_username("demo", "#")


def test_acl_confines_each_node_and_lists_only_active_users() -> None:
    nodes = [NodeGrant("demo", "kiosk-1", "$7$h1"), NodeGrant("other", "shelf-1", "$7$h2")]
    services = [ServiceGrant("cloud-ingest", "$7$h3")]
    acl = render_acl(nodes, services)
    block = acl.split("user demo/kiosk-1\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block == [
        "topic write smartstore/v1/demo/kiosk-1/state",
        "topic write smartstore/v1/demo/kiosk-1/evt/+",
        "topic read smartstore/v1/demo/kiosk-1/cmd/+",
        "topic read smartstore/v1/demo/kiosk-1/ack",
        "topic write smartstore/v1/demo/kiosk-1/cmd/+/res",
        "topic read smartstore/v1/demo/pricebook",
        "topic read smartstore/v1/_cloud/state",
    ]
    assert "pattern" not in acl
    assert "topic readwrite smartstore/v1/other/pricebook" in acl
    assert render_passwords(nodes, services).splitlines() == [
        "cloud-ingest:$7$h3",
        "demo/kiosk-1:$7$h1",
        "other/shelf-1:$7$h2",
    ]
    assert render_passwords([], []) == ""
