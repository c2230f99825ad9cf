"""Builds a kiosk node from its config: outbox, price book, the shell's parts, link, UI.

``build_node`` only builds, each part with what it needs as constructor arguments (nothing
is attached afterwards); the devices come from the config at its edge
(:class:`~kiosk.shell.devices.Devices`, which tests and simulators replace one by one).
``KioskNode.services`` go to :class:`edge.runtime.Runtime`, which starts them in order and
stops them in reverse.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from contracts.exceptions import ContractError
from contracts.messages import FaultData
from contracts.pricebook import PriceBook, decode_pricebook
from contracts.topics import commands_filter, pricebook_topic
from edge.fleet_hooks import FleetHooks, wire_fleet_hooks
from edge.inbound import CommandRouter, Rejections, pricebook_handler
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Service
from edge.updates.wiring import wire_updates
from kiosk.config import KioskConfig
from kiosk.domain.checkout import Checkout, CheckoutSettings
from kiosk.shell.devices import Devices
from kiosk.shell.parts import Parts, build_parts
from kiosk.shell.reconfigure import KioskReconfigurer
from kiosk.shell.recovery import Recovery
from kiosk.shell.remote import book_handler, commands
from kiosk.shell.session import Screen, Session
from kiosk.shell.store import KioskStore
from kiosk.ui.server import UiServer

log = logging.getLogger(__name__)


@dataclass
class KioskNode:
    config: KioskConfig
    outbox: Outbox
    link: Link
    devices: Devices
    parts: Parts
    router: CommandRouter
    """Remote commands; its ``rejections`` say why a command was refused."""
    book_rejections: Rejections
    """Price books refused (malformed, another store's, older than ours) and why."""
    fleet: FleetHooks[KioskConfig]
    """The node's metrics and remote config."""
    ui: UiServer
    services: list[Service]


def build_node(
    config: KioskConfig,
    devices: Devices | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    config_path: Path | None = None,
) -> KioskNode:
    """``config_path``: the YAML the node runs from; remote config pushes rewrite it."""
    devices = devices or Devices.from_config(config)
    ident = config.identity
    outbox = Outbox.open(config.outbox.path, ident.store, ident.node, config.outbox)
    store = KioskStore(outbox)
    screen = Screen(
        config.checkout.store_name,
        config.ui.language,
        receipt_link=config.receipts.link(config.identity.store),
    )
    session = Session(new_checkout(config, store, devices, clock), store, screen)
    parts = build_parts(config, session, devices, lambda f: _emit_fault(outbox, f), clock)
    reconfigure = KioskReconfigurer(session, parts.scanning, parts.attendant, config)
    link = Link(
        config.mqtt,
        ident,
        outbox,
        kind="kiosk",
        outbox_settings=config.outbox,
        state_extra=lambda: {
            "phase": session.co.phase,
            "pricebook_version": session.co.book.version,
            **reconfigure.state(),
        },
    )
    router = CommandRouter(ident, lambda topic, payload: link.publish_now(topic, payload))
    for name, fn in commands(session, parts.attendant, clock).items():
        router.register(name, fn)
    book_rejections = Rejections()
    link.route(commands_filter(ident.store, ident.node), router)
    handler = book_handler(session, book_rejections)
    link.route(
        pricebook_topic(ident.store), pricebook_handler(ident.store, handler, book_rejections)
    )
    fleet = wire_fleet_hooks(
        kind="kiosk",
        model=KioskConfig,
        config=config,
        link=link,
        router=router,
        outbox=outbox,
        config_path=config_path,
        apply=reconfigure,
        rejections=[book_rejections],
    )
    updates = wire_updates(
        config.updates,
        kind="kiosk",
        link=link,
        router=router,
        outbox=outbox,
        idle=lambda: session.co.phase in ("idle", "done"),  # never mid-sale or mid-payment
    )
    ui = UiServer(parts, config.ui)
    services = node_services(config, devices, parts, fleet, ui, link)
    if updates is not None:
        services.append(updates)  # after the link: its trial needs the broker
    return KioskNode(
        config, outbox, link, devices, parts, router, book_rejections, fleet, ui, services
    )


def node_services(
    config: KioskConfig,
    devices: Devices,
    parts: Parts,
    fleet: FleetHooks[KioskConfig],
    ui: UiServer,
    link: Link,
) -> list[Service]:
    """In start order: restore the checkout first, the link last."""
    services: list[Service] = [Recovery(parts.session, parts.payments), parts.payments]
    if devices.scale.scale is not None:
        services.append(parts.bagging.service(devices.scale.scale, config.stability))
    services.append(devices.scanner(parts.scanning, fleet.metrics.time_decode))
    services.extend([fleet.server, ui, link])
    return services


def new_checkout(
    config: KioskConfig, store: KioskStore, devices: Devices, clock: Callable[[], datetime]
) -> Checkout:
    """The checkout on the stored price book (stored first if it came from the seed file)."""
    book, raw = initial_book(config, store.load_pricebook())
    if raw is not None and store.load_pricebook() is None:
        store.save_pricebook(book.version, raw)
    settings = CheckoutSettings(
        max_failures=config.checkout.max_failures,
        weight_check=devices.scale.scale is not None,
        noise_g=config.stability.noise_g,
    )
    return Checkout(book, clock=clock, new_id=lambda: uuid.uuid4().hex, settings=settings)


def empty_book(store: str) -> PriceBook:
    return PriceBook(store=store, version=1, published_at=datetime(2000, 1, 1, tzinfo=UTC))


def initial_book(config: KioskConfig, stored: bytes | None) -> tuple[PriceBook, bytes | None]:
    """The stored price book, else the seed file, else an empty one (manual entry only)."""
    for source, raw in (("stored", stored), ("seed", _read_seed(config))):
        if raw is None:
            continue
        try:
            return decode_pricebook(raw), raw
        except ContractError as exc:
            log.error("%s price book unreadable, ignored: %s", source, exc)
    log.warning("no price book yet: the kiosk sells nothing until one arrives")
    return empty_book(config.identity.store), None


def _read_seed(config: KioskConfig) -> bytes | None:
    path = config.pricebook.seed_path
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        log.error("price book seed %s unreadable: %s", path, exc)
        return None


def _emit_fault(outbox: Outbox, fault: FaultData) -> None:
    try:
        outbox.emit("fault", fault)
    except Exception:
        log.exception("fault event not stored: %s", fault.code)
