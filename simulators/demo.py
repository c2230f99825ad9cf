"""``smartstore demo``: the embedded broker, the cloud on SQLite, one simulated store.

Everything lives in one data directory: the cloud database, the demo password, each node's
outbox and terminal files. A second run continues with the same data; ``--reset`` wipes it.
Start-up is ordered (broker → database → ingest → price book → API → store) and shutdown is
the reverse, so Ctrl-C leaves nothing half-written.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulators.exceptions import SimulatorError

log = logging.getLogger(__name__)

PASSWORD_FILE = "demo-password.txt"  # noqa: S105 (a file name)
CLOCK_FILE = "sim-clock.txt"
"""The simulated time the last run reached: a rerun continues the store's day from there."""


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path
    port: int | None = None
    mqtt_port: int | None = None
    speed: float | None = None
    reset: bool = False
    password: str | None = None
    host: str = "127.0.0.1"


def demo_password(data_dir: Path, wanted: str | None) -> tuple[str, bool]:
    """The stored password, or ``wanted``, or a new one; True when it is new to this dir."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, False
    password = wanted or secrets.token_urlsafe(9)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password, True


class Demo:
    """The running demo; ``say`` receives one progress line at a time."""

    def __init__(self, options: DemoOptions, say: Callable[[str], None]) -> None:
        self.options = options
        self.say = say
        self.stop_event = threading.Event()
        self.broker: object = None
        self.cloud: object = None
        self.sim: object = None
        self.api: object = None
        self.password = ""
        self.mqtt_port = options.mqtt_port or 0
        self.api_port = options.port or 0

    def start(self) -> None:
        from simulators.cloud import LocalCloud
        from simulators.cloudapi import CloudApi
        from simulators.ports import choose_ports
        from simulators.scenario import load_scenario
        from simulators.store import KIOSKS, StoreSimulation
        from smartstore.broker import EmbeddedBroker

        opts = self.options
        data = opts.data_dir
        if opts.reset and data.exists():
            shutil.rmtree(data)
            self.say(f"reset: removed {data}")
        data.mkdir(parents=True, exist_ok=True)
        self.password, fresh = demo_password(data, opts.password)
        if opts.password and not fresh and opts.password != self.password:
            self.say("--password applies to a new data directory only (use --reset)")

        ports = choose_ports(data, opts.host, opts.port, opts.mqtt_port, screens=KIOSKS)
        for note in ports.notes:
            self.say(note)
        self.mqtt_port, self.api_port = ports.mqtt, ports.console
        api_port = ports.console

        self.say(f"starting the embedded MQTT broker on {opts.host}:{self.mqtt_port} …")
        broker = EmbeddedBroker(opts.host, self.mqtt_port)
        broker.start()
        self.broker = broker

        url = f"sqlite:///{(data / 'cloud.sqlite3').resolve()}"
        cloud = LocalCloud(url, broker.url, protocol="3.1.1", host=opts.host, port=api_port)
        self.cloud = cloud
        self.say("preparing the database (migrations, demo catalog) …")
        self.say(cloud.prepare(self.password))
        self.say("starting the ingest worker …")
        cloud.start_ingest()
        self.say(f"publishing the price book ({cloud.publish_pricebook()} products) …")
        self.say(f"starting the API and console on {cloud.url} …")
        cloud.start_api()
        self.api = CloudApi(cloud.url, "staff", self.password)
        self.api.buyer = CloudApi(cloud.url, "manager", self.password)  # approves the orders

        scenario = load_scenario("demo", speed=opts.speed)
        self.say(f"starting the simulated store 'demo' at {scenario.speed:g}× speed …")
        sim = StoreSimulation(
            scenario,
            broker.url,
            data / "nodes",
            protocol="3.1.1",
            cloud=self.api,
            ui_ports=ports.screens,
            clock_file=data / CLOCK_FILE,
        )
        self.sim = sim
        sim.start()

    def urls(self) -> dict[str, str]:
        from simulators.store import StoreSimulation

        cloud_url = getattr(self.cloud, "url", "")
        out = {"console": f"{cloud_url}/", "api docs": f"{cloud_url}/docs"}
        if self.mqtt_port:
            out["mqtt broker"] = f"mqtt://{self.options.host}:{self.mqtt_port}"
        if isinstance(self.sim, StoreSimulation):
            for name, kiosk in self.sim.kiosks.items():
                if kiosk.ui_url:
                    out[f"{name} screen"] = kiosk.ui_url
        return out

    def progress(self) -> str:
        from simulators.store import StoreSimulation

        return self.sim.progress() if isinstance(self.sim, StoreSimulation) else ""

    def stop(self) -> None:
        """Reverse order: store, API and ingest, broker. Safe after a partial start."""
        from simulators.cloud import LocalCloud
        from simulators.cloudapi import CloudApi
        from simulators.store import StoreSimulation
        from smartstore.broker import EmbeddedBroker

        if isinstance(self.sim, StoreSimulation):
            self.say("stopping the simulated store …")
            self.sim.stop()
        if isinstance(self.api, CloudApi):
            if self.api.buyer is not None:
                self.api.buyer.close()
            self.api.close()
        if isinstance(self.cloud, LocalCloud):
            self.say("stopping the API and the ingest worker …")
            self.cloud.stop()
        if isinstance(self.broker, EmbeddedBroker):
            self.say("stopping the broker …")
            self.broker.stop()
        self.sim = self.cloud = self.broker = self.api = None


def check_data_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise SimulatorError(f"{path} exists and is not a directory")
    return path
