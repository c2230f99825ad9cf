"""Stable demo ports: the ones chosen on a data directory's first run are kept in its
``ports.json``, so bookmarks and kiosk screen URLs stay valid from one run to the next.

First run: the flags, else 8000 (console) and 1883 (broker); a default that is busy is
replaced by a free port (said so) and remembered. Later runs: the flags (remembered in
turn), else the remembered ports; a port that is taken then stops the demo with a message
naming it instead of moving it.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from pathlib import Path

from simulators.exceptions import SimulatorError

PORTS_FILE = "ports.json"
DEFAULTS = {"console": 8000, "mqtt": 1883}
FLAGS = {"console": "--port", "mqtt": "--mqtt-port"}
WHAT = {"console": "the API and console", "mqtt": "the MQTT broker"}


@dataclass(frozen=True)
class DemoPorts:
    console: int
    mqtt: int
    notes: tuple[str, ...] = ()
    screens: dict[str, int] = field(default_factory=dict)
    """Kiosk screen ports by node: free ones on the first run, the same ones afterwards."""


def is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def remembered(data_dir: Path) -> dict[str, int]:
    """The ports of ``ports.json``; an unreadable file counts as none (it is rewritten)."""
    try:
        data = json.loads((data_dir / PORTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int)}


def choose_ports(
    data_dir: Path,
    host: str,
    console: int | None = None,
    mqtt: int | None = None,
    screens: tuple[str, ...] = (),
) -> DemoPorts:
    """The demo's ports for ``data_dir`` (see the module docstring); writes ``ports.json``."""
    stored = remembered(data_dir)
    wanted = {"console": console, "mqtt": mqtt}
    chosen: dict[str, int] = {}
    notes: list[str] = []
    for name, default in DEFAULTS.items():
        port = wanted[name] or stored.get(name)
        if port is None:  # a first run on defaults: a busy default may move, once
            port = default if is_free(host, default) else _free_port(host)
            if port != default:
                notes.append(f"port {default} is busy: {WHAT[name]} uses {port} (kept for later)")
        elif not is_free(host, port):
            source = "given" if wanted[name] else f"remembered in {data_dir / PORTS_FILE}"
            raise SimulatorError(
                f"port {port} ({WHAT[name]}, {source}) is in use on {host}: stop what uses "
                f"it, or choose another with {FLAGS[name]} N (remembered for the next runs)"
            )
        chosen[name] = port
    for node in screens:
        chosen[node] = _screen_port(data_dir, host, node, stored.get(node))
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / PORTS_FILE).write_text(json.dumps(chosen, indent=2) + "\n", encoding="utf-8")
    screen_ports = {node: chosen[node] for node in screens}
    return DemoPorts(chosen["console"], chosen["mqtt"], tuple(notes), screen_ports)


def _screen_port(data_dir: Path, host: str, node: str, port: int | None) -> int:
    if port is None:
        return _free_port(host)
    if not is_free(host, port):
        raise SimulatorError(
            f"port {port} (the {node} screen, remembered in {data_dir / PORTS_FILE}) is in use "
            f"on {host}: stop what uses it, or delete {PORTS_FILE} to choose new ports"
        )
    return port
