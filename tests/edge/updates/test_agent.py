"""The update agent on real files: stage, wait for idle, switch, judge itself, go back."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.messages import Command
from edge.config import UpdateSettings
from edge.exceptions import UpdateRefusedError
from edge.updates.agent import UpdateAgent
from edge.updates.health import SelfTest
from edge.updates.state import load_state
from tests.edge.updates.conftest import Shelf


def _command(args: dict[str, object]) -> Command:
    return Command(
        command_id=str(uuid.uuid4()), name="update", args=args, issued_at=datetime.now(UTC)
    )


def _agent(
    shelf: Shelf, root: Path, healthy: bool = True, idle: threading.Event | None = None
) -> tuple[UpdateAgent, threading.Event]:
    restarted = threading.Event()
    selftest = SelfTest({"broker": lambda: None if healthy else "not connected to the broker"})
    settings = UpdateSettings(
        root=root, public_key=shelf.public, trial_s=3, passes=2, interval_s=0.05, idle_poll_s=0.05
    )
    agent = UpdateAgent(
        settings,
        kind="kiosk",
        selftest=selftest,
        idle=(idle.is_set if idle is not None else lambda: True),
        restart=restarted.set,
    )
    return agent, restarted


def test_update_waits_for_idle_then_switches_and_commits(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    shelf.build("1.1.0")
    idle = threading.Event()  # a customer is paying
    agent, restarted = _agent(shelf, root, idle=idle)
    assert agent.handle_update(_command(shelf.order("1.1.0"))) == {
        "version": "1.1.0",
        "accepted": True,
    }
    _until(lambda: (s := load_state(root)) is not None and s.status == "staged")
    time.sleep(0.3)
    assert slots.current == "1.0.0"
    assert not restarted.is_set()
    idle.set()
    assert restarted.wait(5)
    assert slots.current == "1.1.0"
    state = load_state(root)
    assert state is not None
    assert (state.status, state.previous) == ("trial", "1.0.0")
    agent.stop()
    # the restarted process: the same agent code, now running 1.1.0, passes its self-test
    new, restarted_again = _agent(shelf, root)
    assert new.running == "1.1.0"
    new.start()
    _until(lambda: (s := load_state(root)) is not None and s.status == "ok")
    new.stop()
    assert slots.known_good == "1.1.0"
    assert not restarted_again.is_set()
    assert new.state_extra()["update"]["status"] == "ok"


def test_failing_self_test_switches_back_and_says_why(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    shelf.build("1.2.0")
    agent, restarted = _agent(shelf, root)
    agent.handle_update(_command(shelf.order("1.2.0")))
    assert restarted.wait(5)
    agent.stop()
    broken, restarted = _agent(shelf, root, healthy=False)
    broken.start()
    assert restarted.wait(10)
    broken.stop()
    state = load_state(root)
    assert state is not None
    assert state.status == "rolled_back"
    assert state.reason == "self-test failed: broker: not connected to the broker"
    assert (slots.current, slots.known_good) == ("1.0.0", "1.0.0")
    again, _ = _agent(shelf, root)  # the old version, and a late resend of the same order
    with pytest.raises(UpdateRefusedError, match=r"1\.2\.0 already failed here: self-test"):
        again.handle_update(_command(shelf.order("1.2.0")))
    assert again.handle_update(_command(shelf.order("1.2.0", rollout="r2")))["accepted"]
    again.stop()


def test_tampered_download_is_refused_and_nothing_switches(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    bundle = shelf.build("1.3.0")
    order = shelf.order("1.3.0")
    data = bytearray(bundle.read_bytes())
    data[-2000] ^= 0xFF  # a flipped byte in the last file
    bundle.write_bytes(bytes(data))
    agent, restarted = _agent(shelf, root)
    agent.handle_update(_command(order))
    _until(lambda: (s := load_state(root)) is not None and s.status == "failed")
    agent.stop()
    state = load_state(root)
    assert state is not None
    assert state.reason is not None
    assert "checksum mismatch" in state.reason
    assert slots.current == "1.0.0"
    assert slots.installed() == ["1.0.0"]
    assert not restarted.is_set()


def test_same_version_is_a_no_op(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    shelf.install_first(root, "1.0.0")
    agent, _ = _agent(shelf, root)
    assert agent.handle_update(_command(shelf.order("1.0.0"))) == {
        "version": "1.0.0",
        "changed": False,
    }


def _until(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out")
