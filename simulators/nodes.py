"""The real kiosk and shelf node code wired to simulated hardware, with crash and restart.

Each node keeps its files (outbox, payment simulator state) in its own directory, so a restart after
a crash recovers exactly like a real node: ``boot`` goes up, ``seq`` goes on, the saved
checkout comes back and a payment left in flight is settled with the payment simulator.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from contracts.pricebook import PriceBook
from contracts.topics import commands_filter, pricebook_topic
from edge.config import MqttSettings, NodeIdentity, OutboxSettings, load_config
from edge.inbound import CommandRouter, pricebook_handler
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Runtime, Service
from kiosk.config import KioskConfig
from kiosk.exceptions import KioskError
from kiosk.payment.simulator import PaymentSimulator
from kiosk.scanner.config import CameraScannerConfig, Gs1Config
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.service import ScannerService
from kiosk.service import KioskNode, build_node
from kiosk.shell.devices import DecodeTimer, Devices
from kiosk.shell.parts import Parts
from kiosk.shell.scanning import Scanning
from kiosk.shell.session import Session
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.service import ShelfService
from simulators.devices.camera import HandheldCamera
from simulators.devices.loadcell import LiveLoadCell

log = logging.getLogger(__name__)

ATTENDANT_BADGE = "SIM-ATTENDANT-1"
SCANNER = CameraScannerConfig(
    type="camera", source="simulated", confirm_frames=2, debounce_s=None, left_view_s=0.2
)
"""The kiosk's shipped behaviour: a code held in view counts once per presence. Hold-to-repeat
(``debounce_s``) added a unit every 0.8 s while a shopper waited for the cart to change."""


def mqtt_settings(url: str, protocol: Literal["auto", "5", "3.1.1"]) -> MqttSettings:
    """Quick reconnects: a simulated store should recover from an outage in seconds."""
    return MqttSettings(url=url, protocol=protocol, backoff_min=0.2, backoff_max=3.0)


def abrupt_disconnect(link: Link) -> None:
    """Cut the link like a killed process would: no offline state, the broker sends the will."""
    link._stop.set()
    link._conn_changed.set()
    link.drainer.stop()
    client = link._client
    if client is not None:
        sock = client.socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        client.loop_stop()
    if link._conn_thread is not None:
        link._conn_thread.join(timeout=5)
        link._conn_thread = None
    link._client = None
    link._connected = False


class SimKiosk:
    """One kiosk node (``kiosk.service.build_node``) on a handheld camera and fake devices."""

    def __init__(
        self,
        store: str,
        node: str,
        data_dir: Path,
        mqtt_url: str,
        protocol: Literal["auto", "5", "3.1.1"] = "auto",
        ui_port: int = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock``: the simulated time the kiosk stamps its sales with (default: real)."""
        self.store = store
        self.ui_port = ui_port
        """Port of the kiosk's screen; 0 picks a free one (the demo keeps its ports stable)."""
        self.clock = clock or (lambda: datetime.now(UTC))
        self.node_id = node
        self.dir = data_dir / node
        self.mqtt_url = mqtt_url
        self.protocol = protocol
        self.node: KioskNode | None = None
        self.runtime: Runtime | None = None
        self.camera = HandheldCamera()
        self.busy = threading.Lock()
        """Held by the shopper at the kiosk, so one shopper uses it at a time."""
        self.up = threading.Event()

    def config(self) -> KioskConfig:
        data: dict[str, Any] = {
            "identity": {"store": self.store, "node": self.node_id},
            "mqtt": mqtt_settings(self.mqtt_url, self.protocol).model_dump(mode="json"),
            "outbox": {"path": str(self.dir / "node.sqlite3"), "sync": "normal"},
            "scanner": {"type": "none"},
            "scale": {"type": "fake", "noise_g": 0.3, "sample_s": 0.02, "auto_bag": True},
            "payment": {
                "type": "simulator",
                "state_path": str(self.dir / "terminal.sqlite3"),
                "latency_s": 0.05,
            },
            "cash": {"type": "fake"},
            "printer": {"type": "dummy"},
            "attendants": [{"id": "sim-attendant", "badge": ATTENDANT_BADGE}],
            "ui": {"port": self.ui_port},
            "metrics": {"port": 0},  # several simulated kiosks share one host
            "checkout": {"store_name": f"smartstore {self.store}"},
        }
        return load_config(KioskConfig, None, overrides=data, environ={})

    @property
    def parts(self) -> Parts:
        if self.node is None:
            raise KioskError("kiosk is down", "kiosk_down")
        return self.node.parts

    @property
    def session(self) -> Session:
        return self.parts.session

    @property
    def payment(self) -> PaymentSimulator | None:
        adapter = self.node.devices.payment.adapter if self.node is not None else None
        return adapter if isinstance(adapter, PaymentSimulator) else None

    @property
    def cash(self) -> object:
        return self.node.devices.cash.acceptor if self.node is not None else None

    @property
    def ui_url(self) -> str | None:
        ui = self.node.ui if self.node is not None else None
        return str(ui.url) if ui is not None else None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.config()
        devices = Devices.from_config(config, scanner=self._scanner)
        self.node = build_node(config, devices, clock=self.clock)
        self.runtime = Runtime(self.node.services)
        self.runtime.start_all()
        self.up.set()
        log.info("%s up (boot %d)", self.node_id, self.node.outbox.boot)

    def _scanner(self, scanning: Scanning, timer: DecodeTimer) -> Service:
        def open_camera(_: CameraScannerConfig) -> HandheldCamera:
            self.camera = HandheldCamera()
            return self.camera

        def on_scan(code: ScannedCode) -> None:
            try:
                scanning.scan(
                    code.text,
                    gtin=code.gtin,
                    weight_kg=code.weight_kg,
                    price=code.price,
                    expiry=code.expiry,
                    payment_code=code.payment_code is not None,
                )
            except KioskError as exc:
                log.info("%s: scan of %s refused: %s", self.node_id, code.gtin, exc.code)

        service = ScannerService(
            SCANNER, Gs1Config(), on_scan, scanning.is_known, camera_factory=open_camera
        )
        service.decode_timer = timer
        return service

    def stop(self) -> None:
        self.up.clear()
        if self.runtime is not None:
            self.runtime.stop_all()
        if self.node is not None:
            self.node.outbox.close()
        self.runtime = None
        self.node = None

    def crash(self) -> None:
        """Die like ``kill -9``: no offline state, no goodbye; committed rows stay on disk."""
        self.up.clear()
        node, runtime = self.node, self.runtime
        self.node = self.runtime = None
        if node is None or runtime is None:
            return
        abrupt_disconnect(node.link)
        for service in reversed(runtime.started):
            if service is node.link:
                continue
            try:
                service.stop()
            except Exception:
                log.debug("stopping %s after the crash failed", service.name, exc_info=True)
        node.outbox.close()
        log.warning("%s crashed", self.node_id)


class SimShelf:
    """One shelf node (``ShelfService`` + outbox + link) over a :class:`LiveLoadCell`."""

    def __init__(
        self,
        store: str,
        node: str,
        data_dir: Path,
        mqtt_url: str,
        lanes: list[LaneSpec],
        cell: LiveLoadCell,
        protocol: Literal["auto", "5", "3.1.1"] = "auto",
    ) -> None:
        self.identity = NodeIdentity(store=store, node=node)
        self.node_id = node
        self.dir = data_dir / node
        self.mqtt = mqtt_settings(mqtt_url, protocol)
        self.lanes = lanes
        self.cell = cell
        self.book: PriceBook | None = None
        self.outbox: Outbox | None = None
        self.service: ShelfService | None = None
        self.link: Link | None = None
        self.runtime: Runtime | None = None
        self.up = threading.Event()

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / "node.sqlite3"
        settings = OutboxSettings(path=path, sync="normal")
        ident = self.identity
        self.outbox = Outbox.open(path, ident.store, ident.node, settings)
        self.service = ShelfService(
            self.lanes,
            self.cell,
            self.outbox,
            calibrations=self.cell.calibrations(),
            pricebook=self.book,
        )
        self.link = Link(
            self.mqtt,
            ident,
            self.outbox,
            kind="shelf",
            outbox_settings=settings,
            state_extra=self.service.lane_states,
        )
        router = CommandRouter(
            ident, lambda t, p: self.link is not None and self.link.publish_now(t, p)
        )
        router.register("reload", self.service.command_reload)
        router.register("planogram", self.service.command_planogram)
        self.link.route(commands_filter(ident.store, ident.node), router)
        self.link.route(
            pricebook_topic(ident.store), pricebook_handler(ident.store, self.service.on_pricebook)
        )
        self.runtime = Runtime([self.link, self.service])
        self.runtime.start_all()
        self.up.set()

    def lane_states(self) -> dict[str, Any]:
        service = self.service
        return service.lane_states()["lanes"] if service is not None else {}

    def stop(self) -> None:
        self.up.clear()
        if self.runtime is not None:
            self.runtime.stop_all()
        if self.outbox is not None:
            self.outbox.close()
        self.runtime = self.service = self.link = self.outbox = None

    def crash(self) -> None:
        self.up.clear()
        if self.link is not None:
            abrupt_disconnect(self.link)
        if self.service is not None:
            self.service.stop()
        if self.outbox is not None:
            self.outbox.close()
        self.runtime = self.service = self.link = self.outbox = None
        log.warning("%s crashed", self.node_id)
