"""Demo ports are stable: chosen once per data folder, remembered in ports.json, refused
with a message naming the port when taken; and ``./demo`` as a data folder works."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulators.exceptions import SimulatorError
from simulators.ports import PORTS_FILE, choose_ports, is_free
from simulators.scenario import load_scenario
from smartstore.broker import free_port

HOST = "127.0.0.1"


@contextmanager
def occupied(port: int) -> Iterator[None]:
    with socket.socket() as sock:
        sock.bind((HOST, port))
        sock.listen()
        yield


def test_first_choice_is_remembered_and_reused(tmp_path: Path) -> None:
    console, mqtt = free_port(), free_port()
    first = choose_ports(tmp_path, HOST, console, mqtt)
    assert (first.console, first.mqtt) == (console, mqtt)
    assert json.loads((tmp_path / PORTS_FILE).read_text()) == {"console": console, "mqtt": mqtt}
    again = choose_ports(tmp_path, HOST)  # no flags: the remembered ports, not 8000/1883
    assert (again.console, again.mqtt) == (console, mqtt)
    assert again.notes == ()


def test_a_taken_remembered_port_fails_naming_it(tmp_path: Path) -> None:
    console, mqtt = free_port(), free_port()
    choose_ports(tmp_path, HOST, console, mqtt)
    with occupied(mqtt), pytest.raises(SimulatorError) as err:
        choose_ports(tmp_path, HOST)
    message = str(err.value)
    assert f"port {mqtt}" in message
    assert "MQTT broker" in message
    assert "--mqtt-port" in message
    assert str(tmp_path / PORTS_FILE) in message
    # nothing moved: the file still holds the ports the bookmarks use
    assert json.loads((tmp_path / PORTS_FILE).read_text()) == {"console": console, "mqtt": mqtt}


def test_a_flag_wins_and_is_remembered(tmp_path: Path) -> None:
    choose_ports(tmp_path, HOST, free_port(), free_port())
    new_console = free_port()
    chosen = choose_ports(tmp_path, HOST, console=new_console)
    assert chosen.console == new_console
    assert choose_ports(tmp_path, HOST).console == new_console


def test_a_given_port_that_is_taken_fails(tmp_path: Path) -> None:
    port = free_port()
    with occupied(port), pytest.raises(SimulatorError, match=f"port {port} .*given"):
        choose_ports(tmp_path, HOST, console=port, mqtt=free_port())
    assert not (tmp_path / PORTS_FILE).exists()


def test_first_run_moves_a_busy_default_once_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_default = free_port()
    monkeypatch.setattr("simulators.ports.DEFAULTS", {"console": busy_default, "mqtt": 0})
    with occupied(busy_default):
        chosen = choose_ports(tmp_path / "fresh", HOST, mqtt=free_port())
    assert chosen.console != busy_default
    assert is_free(HOST, chosen.console)
    assert any(f"port {busy_default} is busy" in note for note in chosen.notes)
    assert choose_ports(tmp_path / "fresh", HOST).console == chosen.console


def test_a_demo_folder_in_the_current_directory_is_not_read_as_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo").mkdir()  # `smartstore demo --data-dir demo`, or any ./demo folder
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario("demo")
    assert scenario == load_scenario("demo", speed=None)
    assert scenario.speed > 0


def test_kiosk_screen_ports_are_kept_too(tmp_path: Path) -> None:
    screens = ("kiosk-1", "kiosk-2")
    first = choose_ports(tmp_path, HOST, free_port(), free_port(), screens=screens)
    assert set(first.screens) == set(screens)
    assert len(set(first.screens.values())) == 2
    again = choose_ports(tmp_path, HOST, screens=screens)
    assert again.screens == first.screens
    with occupied(first.screens["kiosk-2"]), pytest.raises(SimulatorError) as err:
        choose_ports(tmp_path, HOST, screens=screens)
    assert f"port {first.screens['kiosk-2']} (the kiosk-2 screen" in str(err.value)
