"""Commands cloud → node: the pure tracker, then the dispatcher against a real Mosquitto with a
node-side responder built from edge.inbound.CommandRouter."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from cloud.fleet.commands import CommandDispatcher, CommandStatus, CommandTracker
from cloud.fleet.exceptions import CommandError
from cloud.settings import CloudSettings
from contracts.codec import encode
from contracts.messages import Command, CommandResult
from contracts.topics import command_result_topic, commands_filter
from edge.config import NodeIdentity
from edge.inbound import CommandRouter
from tests.support.services import MosquittoProcess

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def result(cmd_id: str, ok: bool = True) -> bytes:
    return encode(CommandResult(command_id=cmd_id, ok=ok, completed_at=T0))


# pure core -------------------------------------------------------------------------------


def test_tracker_matches_results_and_times_out() -> None:
    clock = Clock()
    tracker = CommandTracker(clock)
    tare = tracker.issue("demo", "shelf-1", "tare", {"lane": "a1"}, timeout_s=5)
    lock = tracker.issue("demo", "kiosk-1", "lock", timeout_s=5)
    assert tare.command.expires_at == T0 + timedelta(seconds=5)
    done = tracker.on_result(
        command_result_topic("demo", "shelf-1", "tare"), result(tare.command_id)
    )
    assert done is tare
    assert tare.status is CommandStatus.OK
    clock.now += timedelta(seconds=6)
    assert tracker.expire() == [lock]
    assert lock.status is CommandStatus.TIMEOUT
    # a late answer is kept for the record but does not change the outcome
    assert (
        tracker.on_result(command_result_topic("demo", "kiosk-1", "lock"), result(lock.command_id))
        is None
    )
    assert lock.status is CommandStatus.TIMEOUT
    assert lock.late_result is not None


def test_tracker_ignores_forged_and_malformed_results() -> None:
    tracker = CommandTracker(Clock())
    lock = tracker.issue("demo", "kiosk-1", "lock")
    # another node answering for kiosk-1's command, a wrong command name, garbage
    assert (
        tracker.on_result(command_result_topic("demo", "kiosk-2", "lock"), result(lock.command_id))
        is None
    )
    assert (
        tracker.on_result(command_result_topic("demo", "kiosk-1", "tare"), result(lock.command_id))
        is None
    )
    assert tracker.on_result(command_result_topic("demo", "kiosk-1", "lock"), b"{not json") is None
    assert tracker.on_result("smartstore/v1/demo/kiosk-1/cmd/lock", result(lock.command_id)) is None
    assert (
        tracker.on_result(command_result_topic("demo", "kiosk-1", "lock"), result("nope")) is None
    )
    assert tracker.ignored == 5
    assert lock.status is CommandStatus.PENDING


def test_tracker_refuses_bad_addresses() -> None:
    tracker = CommandTracker(Clock())
    with pytest.raises(ValueError):
        tracker.issue("Demo", "kiosk-1", "lock")
    with pytest.raises(ValueError):
        tracker.issue("demo", "kiosk-1", "rm -rf")
    with pytest.raises(CommandError):
        tracker.issue("demo", "kiosk-1", "lock", timeout_s=0)


# against a real broker -------------------------------------------------------------------


class NodeResponder:
    """A node's command side: paho client + edge.inbound.CommandRouter."""

    def __init__(self, broker: MosquittoProcess, store: str, node: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.router = CommandRouter(
            NodeIdentity(store=store, node=node),
            lambda topic, payload: self.client.publish(topic, payload, qos=1).rc == 0,
        )
        self.locked = False
        self.router.register("lock", self._lock)
        self.router.register("unlock", self._unlock)
        self.router.register("tare", self._tare)
        self.router.register("zreport", lambda cmd: {"report_no": 7, "sales_count": 3})
        ready = threading.Event()
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.on_message = lambda _c, _u, m: self.router(m.topic, bytes(m.payload))
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(commands_filter(store, node), qos=1)
        self.client.loop_start()
        assert ready.wait(10)

    def _lock(self, cmd: Command) -> dict[str, Any]:
        self.locked = True
        return {"phase": "locked"}

    def _unlock(self, cmd: Command) -> dict[str, Any]:
        self.locked = False
        return {"phase": "idle"}

    def _tare(self, cmd: Command) -> dict[str, Any]:
        lane = cmd.args.get("lane")
        if lane not in ("a1", "a2"):
            raise KeyError(f"no lane {lane!r}")
        return {"lane": lane, "zero": 8123}

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def dispatcher(mosquitto_broker: MosquittoProcess) -> Iterator[CommandDispatcher]:
    settings = CloudSettings(mqtt_url=mosquitto_broker.url)
    disp, address = CommandDispatcher.from_settings(settings)
    disp.start(address.host, address.port)
    yield disp
    disp.stop()


@pytest.mark.mosquitto
def test_dispatch_results_and_timeouts_through_mosquitto(
    mosquitto_broker: MosquittoProcess, dispatcher: CommandDispatcher
) -> None:
    kiosk = NodeResponder(mosquitto_broker, "demo", "kiosk-1")
    shelf = NodeResponder(mosquitto_broker, "demo", "shelf-1")
    finished: list[str] = []
    dispatcher.on_done = lambda t: finished.append(t.command.name)
    try:
        lock = dispatcher.run("demo", "kiosk-1", "lock", timeout_s=5)
        assert lock.status is CommandStatus.OK
        assert lock.result is not None
        assert lock.result.result == {"phase": "locked"}
        assert kiosk.locked
        assert dispatcher.run("demo", "kiosk-1", "unlock", timeout_s=5).status is CommandStatus.OK
        assert not kiosk.locked
        z = dispatcher.run("demo", "kiosk-1", "zreport", timeout_s=5)
        assert z.result is not None
        assert z.result.result["report_no"] == 7

        tare = dispatcher.run("demo", "shelf-1", "tare", {"lane": "a2"}, timeout_s=5)
        assert tare.status is CommandStatus.OK
        bad_lane = dispatcher.run("demo", "shelf-1", "tare", {"lane": "zz"}, timeout_s=5)
        assert bad_lane.status is CommandStatus.FAILED
        assert bad_lane.result is not None
        assert "no lane" in (bad_lane.result.error or "")
        unknown = dispatcher.run("demo", "shelf-1", "reload_config", timeout_s=5)
        assert unknown.status is CommandStatus.FAILED
        assert "unknown command" in (unknown.result.error or "") if unknown.result else False

        # nobody listens for kiosk-9: the command times out on its deadline
        gone = dispatcher.run("demo", "kiosk-9", "lock", timeout_s=0.5)
        assert gone.status is CommandStatus.TIMEOUT
        assert gone.result is None
        # several in flight at once, answered out of order, each matched to its own result
        many = [dispatcher.send("demo", "shelf-1", "tare", {"lane": "a1"}) for _ in range(20)]
        many.append(dispatcher.send("demo", "kiosk-1", "lock"))
        assert all(dispatcher.wait(t).status is CommandStatus.OK for t in many)
        assert "lock" in finished
        assert finished.count("tare") >= 22
    finally:
        kiosk.close()
        shelf.close()


@pytest.mark.mosquitto
def test_node_refuses_a_command_that_arrives_after_its_deadline(
    mosquitto_broker: MosquittoProcess,
) -> None:
    """A stale command (e.g. an unlock queued while the node was away) is refused, not run."""
    kiosk = NodeResponder(mosquitto_broker, "demo", "kiosk-1")
    late_clock = Clock()
    late_clock.now = datetime.now(UTC) + timedelta(minutes=5)
    kiosk.router.clock = late_clock
    settings = CloudSettings(mqtt_url=mosquitto_broker.url)
    disp, address = CommandDispatcher.from_settings(settings)
    disp.start(address.host, address.port)
    try:
        stale = disp.run("demo", "kiosk-1", "lock", timeout_s=5)
        assert stale.status is CommandStatus.FAILED
        assert stale.result is not None
        assert "expired" in (stale.result.error or "")
        assert not kiosk.locked
    finally:
        disp.stop()
        kiosk.close()


def test_send_before_connect_is_an_error() -> None:
    disp = CommandDispatcher(mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5))
    with pytest.raises(CommandError):
        disp.send("demo", "kiosk-1", "lock")
