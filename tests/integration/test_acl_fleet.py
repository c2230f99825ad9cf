"""Generated credentials and ACL on a real Mosquitto: nodes are confined, revocation is live.

The broker is a private ``mosquitto -c`` process (project tuning lines, anonymous off, the
fleet's password file and ACL) on a free port: the system service on 1883 keeps Debian's
default config, which tests must not change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from cloud.fleet.service import IssuedCredentials
from contracts.topics import (
    command_topic,
    commands_filter,
    event_topic,
    events_filter,
    pricebook_topic,
    state_topic,
)
from tests.cloud.fleet.broker import Probe, SecureBroker, secure_broker

pytestmark = pytest.mark.mosquitto


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def broker() -> Iterator[SecureBroker]:
    with secure_broker() as b:
        yield b


def login(broker: SecureBroker, cred: IssuedCredentials) -> Probe:
    probe = Probe(broker, cred.username, cred.password, cred.client_id)
    assert probe.connect() == "Success"
    return probe


def test_nodes_are_confined_to_their_own_topics_and_revocation_is_live(
    broker: SecureBroker,
) -> None:
    fleet = broker.fleet
    a = fleet.provision("demo", "kiosk-1")
    b = fleet.provision("demo", "kiosk-2")
    c = fleet.provision("other", "kiosk-1", kind="kiosk")
    svc = fleet.provision_service("ingest")
    cloud = login(broker, svc)
    node_a, node_b, node_c = login(broker, a), login(broker, b), login(broker, c)
    try:
        cloud.subscribe(events_filter())
        for probe, (store, node) in (
            (node_a, ("demo", "kiosk-1")),
            (node_b, ("demo", "kiosk-2")),
            (node_c, ("other", "kiosk-1")),
        ):
            probe.subscribe(commands_filter(store, node))
        node_a.subscribe("smartstore/v1/other/kiosk-1/cmd/+")  # someone else's commands
        node_a.subscribe("smartstore/v1/#")  # everything: delivery is checked per message
        node_a.subscribe(pricebook_topic("demo"))

        # --- publishing: own subtree only ----------------------------------------------
        own = node_a.publish(event_topic("demo", "kiosk-1", "sale"), b'{"own": 1}')
        as_b = node_a.publish(event_topic("demo", "kiosk-2", "sale"), b'{"as_b": 1}')
        other_store = node_a.publish(event_topic("other", "kiosk-1", "sale"), b'{"x": 1}')
        b_state = node_a.publish(state_topic("demo", "kiosk-2"), b'{"online": false}')
        book = node_a.publish(pricebook_topic("demo"), b'{"fake": "book"}')
        wait_for(lambda: len(node_a.acks) == 5)
        assert node_a.acks[own] == "Success"
        for mid in (as_b, other_store, b_state, book):
            assert node_a.acks[mid] == "Not authorized"
        wait_for(lambda: len(cloud.messages) >= 1)
        assert [t for t, _ in cloud.messages] == [event_topic("demo", "kiosk-1", "sale")]

        # --- reading: own commands and own store's price book only ---------------------
        for topic in (
            command_topic("other", "kiosk-1", "tare"),
            command_topic("demo", "kiosk-2", "lock"),
            pricebook_topic("other"),
            command_topic("demo", "kiosk-1", "lock"),  # marker: A's own, sent last
        ):
            cloud.publish(topic, b"{}")
        wait_for(lambda: any(t.endswith("kiosk-1/cmd/lock") for t, _ in node_a.messages))
        wait_for(lambda: len(node_b.messages) == 1 and len(node_c.messages) == 1)
        got_a = {t for t, _ in node_a.messages}
        assert got_a == {command_topic("demo", "kiosk-1", "lock")}
        assert node_c.messages[0][0] == command_topic("other", "kiosk-1", "tare")
        cloud.publish(pricebook_topic("demo"), b'{"book": 1}')
        wait_for(lambda: pricebook_topic("demo") in {t for t, _ in node_a.messages})

        # --- revocation without restarting the broker -----------------------------------
        pid_before = broker.proc.pid
        fleet.revoke("demo", "kiosk-1")
        assert node_a.disconnected.wait(10), "revoked node still connected after SIGHUP"
        again = Probe(broker, a.username, a.password, a.client_id)
        assert again.connect() in ("Not authorized", "Bad user name or password")
        again.close()
        assert broker.proc.poll() is None
        assert broker.proc.pid == pid_before
        # the others carry on over the same broker process
        mid = node_b.publish(event_topic("demo", "kiosk-2", "sale"))
        wait_for(lambda: node_b.acks.get(mid) == "Success")
        # a re-provisioned node gets a new password; the old one stays refused
        a2 = fleet.provision("demo", "kiosk-1")
        assert a2.password != a.password
        login(broker, a2).close()
        stale = Probe(broker, a.username, a.password, a.client_id)
        assert stale.connect() != "Success"
        stale.close()
    finally:
        for probe in (cloud, node_a, node_b, node_c):
            probe.close()


def test_wrong_password_anonymous_and_forged_usernames_are_refused(broker: SecureBroker) -> None:
    cred = broker.fleet.provision("demo", "kiosk-1")
    wrong = Probe(broker, cred.username, cred.password + "x", cred.client_id)
    assert wrong.connect() != "Success"
    wrong.close()
    forged = Probe(broker, "demo/kiosk-2", cred.password, "demo-kiosk-2")
    assert forged.connect() != "Success"
    forged.close()
    anon = Probe(broker, "", "", "anon")
    anon.client.username_pw_set(None)
    assert anon.connect() != "Success"
    anon.close()


def test_the_cli_revokes_a_node_on_the_running_broker(broker: SecureBroker) -> None:
    """`smartstore device revoke --broker-control host:port`: the plugin drops the client at
    once (SIGHUP would not: it does not reload the plugin's file)."""
    from typer.testing import CliRunner

    from smartstore.cli import build_app

    cred = broker.fleet.provision("demo", "kiosk-1")
    node = login(broker, cred)
    control = f"{broker.host}:{broker.port}"
    argv = ["device", "revoke", "--store", "demo", "--node", "kiosk-1"]
    argv += ["--fleet-dir", str(broker.fleet.settings.dir), "--broker-control", control]
    result = CliRunner().invoke(build_app(), argv)
    assert result.exit_code == 0, result.output
    assert node.disconnected.wait(10), "revoked node still connected"
    again = Probe(broker, cred.username, cred.password, cred.client_id)
    assert again.connect() != "Success"
    again.close()
    out = CliRunner().invoke(
        build_app(), ["device", "sync", "--fleet-dir", str(broker.fleet.settings.dir)]
    )
    assert out.exit_code == 0, out.output


def test_a_revocation_the_live_broker_missed_is_applied_by_the_next_change(
    broker: SecureBroker,
) -> None:
    """Every change reconciles the running broker with the registry, so a revocation written
    while the broker could not be told (no control configured, broker unreachable) takes
    effect with the next change, not never."""
    from cloud.fleet.service import Fleet

    cred = broker.fleet.provision("demo", "kiosk-1")
    node = login(broker, cred)
    files_only = Fleet(broker.fleet.settings.model_copy(update={"control": None}))
    files_only.revoke("demo", "kiosk-1")
    time.sleep(0.5)
    assert not node.disconnected.is_set(), "the broker was not told: still connected"
    broker.fleet.provision("demo", "kiosk-2")  # any later change
    assert node.disconnected.wait(10), "the next change disconnected the revoked node"
    again = Probe(broker, cred.username, cred.password, cred.client_id)
    assert again.connect() != "Success"
    again.close()
