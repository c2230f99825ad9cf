"""Wires a kiosk node from its config: outbox, link, price book, devices, checkout, UI.

``build_node`` only builds; ``KioskNode.services`` go to :class:`edge.runtime.Runtime`, which
starts them in order and stops them in reverse. Tests pass fake devices in ``devices``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from contracts.exceptions import ContractError
from contracts.messages import FaultData
from contracts.pricebook import PriceBook, decode_pricebook
from contracts.topics import commands_filter, pricebook_topic
from edge.fleet_hooks import wire_fleet_hooks
from edge.inbound import CommandRouter, Rejections, pricebook_handler
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Service
from kiosk.config import (
    FakeCashConfig,
    FakeScaleConfig,
    KioskConfig,
    SerialScaleConfig,
    SimulatorTerminalConfig,
)
from kiosk.controller import KioskController
from kiosk.domain.checkout import Checkout, CheckoutSettings
from kiosk.exceptions import KioskError
from kiosk.paying import PaymentRunner
from kiosk.payment.base import PaymentTerminal
from kiosk.payment.cash import CashAcceptor, FakeCashAcceptor
from kiosk.payment.simulator import TerminalSimulator
from kiosk.receipt_printing import ReceiptPrinter
from kiosk.reconfigure import KioskReconfigurer
from kiosk.remote import book_handler, commands
from kiosk.scale.base import Scale
from kiosk.scale.fake import FakeScale
from kiosk.scale.serial import SerialScale
from kiosk.scale.service import ScaleService

log = logging.getLogger(__name__)


@dataclass
class Devices:
    """Device overrides (tests, simulators); ``None`` builds the one the config names."""

    scale: Scale | None = None
    terminal: PaymentTerminal | None = None
    cash: CashAcceptor | None = None
    printer: ReceiptPrinter | None = None
    scanner: Callable[[KioskController], Service] | None = None


@dataclass
class KioskNode:
    config: KioskConfig
    outbox: Outbox
    link: Link
    controller: KioskController
    payments: PaymentRunner
    scale: Scale | None
    cash: CashAcceptor | None
    terminal: PaymentTerminal | None
    services: list[Service] = field(default_factory=list)
    ui: Any = None
    router: CommandRouter | None = None
    """Remote commands; its ``rejections`` say why a command was refused."""
    book_rejections: Rejections = field(default_factory=Rejections)
    """Price books refused (malformed, another store's, older than ours) and why."""
    fleet: Any = None
    """``edge.fleet_hooks.FleetHooks``: the node's metrics and remote config."""


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


def attendant_checker(config: KioskConfig) -> Callable[[str, Literal["pin", "badge"]], str | None]:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()

    def check(secret: str, kind: Literal["pin", "badge"]) -> str | None:
        secret = secret.strip()
        if not secret or len(secret) > 64:
            return None
        for att in config.attendants:
            if kind == "badge" and att.badge is not None and att.badge == secret:
                return att.id
            if kind == "pin" and att.pin_hash is not None:
                try:
                    if hasher.verify(att.pin_hash, secret):
                        return att.id
                except (VerificationError, InvalidHashError):
                    continue
        return None

    return check


def build_node(
    config: KioskConfig,
    devices: Devices | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    config_path: Path | None = None,
) -> KioskNode:
    """``config_path``: the YAML the node runs from; remote config pushes rewrite it."""
    devices = devices or Devices()
    ident = config.identity
    outbox = Outbox.open(config.outbox.path, ident.store, ident.node, config.outbox)
    from kiosk.store import KioskStore

    store = KioskStore(outbox)
    book, raw = initial_book(config, store.load_pricebook())
    if raw is not None and store.load_pricebook() is None:
        store.save_pricebook(book.version, raw)
    weight_check = not isinstance(config.scale, type(None)) and config.scale.type != "none"
    checkout = Checkout(
        book,
        clock=clock,
        new_id=lambda: uuid.uuid4().hex,
        settings=CheckoutSettings(
            max_failures=config.checkout.max_failures,
            weight_check=weight_check or devices.scale is not None,
            noise_g=config.stability.noise_g,
        ),
    )
    ctl = KioskController(
        checkout,
        store,
        attendant_checker(config),
        emit_fault=lambda fault: _emit_fault(outbox, fault),
        printer=devices.printer,
        member_card_prefix=config.checkout.member_card_prefix,
        store_name=config.checkout.store_name,
        gs1=config.gs1,
    )
    ctl.language = config.ui.language
    reconfigure = KioskReconfigurer(ctl, config)
    if ctl.printer is None:
        ctl.printer = build_printer(config, checkout)
    terminal = devices.terminal or build_terminal(config)
    cash = devices.cash or build_cash(config)
    payments = PaymentRunner(ctl, terminal, cash)
    ctl.payments = payments
    from kiosk.members import MemberDesk, build_lookup
    from kiosk.returns import build_return_desk

    ctl.members = MemberDesk(ctl, build_lookup(config.cloud_api))
    ctl.returns = build_return_desk(ctl, config, terminal, cash, clock)
    scale = devices.scale or build_scale(config)
    link = Link(
        config.mqtt,
        ident,
        outbox,
        kind="kiosk",
        outbox_settings=config.outbox,
        state_extra=lambda: {
            "phase": checkout.phase,
            "pricebook_version": checkout.book.version,
            **reconfigure.state(),
        },
    )
    router = CommandRouter(ident, lambda topic, payload: link.publish_now(topic, payload))
    for name, fn in commands(ctl, clock).items():
        router.register(name, fn)
    book_rejections = Rejections()
    link.route(commands_filter(ident.store, ident.node), router)
    link.route(
        pricebook_topic(ident.store),
        pricebook_handler(ident.store, book_handler(ctl, book_rejections), book_rejections),
    )
    node = KioskNode(config, outbox, link, ctl, payments, scale, cash, terminal)
    node.router, node.book_rejections = router, book_rejections
    node.fleet = wire_fleet_hooks(
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

    services: list[Service] = [_Recovery(ctl), payments]  # type: ignore[list-item]
    if scale is not None:
        services.append(
            ScaleService(
                scale,
                on_stable=lambda grams: _on_weight(ctl, grams),
                on_fault=lambda msg, active: _scale_fault(outbox, msg, active),
                window=config.stability.window,
                spread_g=config.stability.spread_g,
            )
        )
        if (
            isinstance(scale, FakeScale)
            and isinstance(config.scale, FakeScaleConfig)
            and config.scale.auto_bag
        ):
            ctl.after_add = lambda line, units: _auto_bag(scale, line, units)
    if devices.scanner is not None:
        services.append(devices.scanner(ctl))
    elif config.scanner.type != "none":
        services.append(build_scanner(config, ctl))
    for service in services:
        if hasattr(service, "decode_timer"):  # a kiosk.scanner ScannerService
            service.decode_timer = node.fleet.metrics.time_decode
    from kiosk.ui.server import UiServer

    ui = UiServer(ctl, payments, config.ui, cash=cash, terminal=terminal)
    node.ui = ui
    services.extend([node.fleet.server, ui, link])  # type: ignore[list-item]
    node.services = services
    return node


class _Recovery:
    """First service: restore the saved checkout and settle payments left in flight."""

    name = "kiosk-recovery"

    def __init__(self, ctl: KioskController) -> None:
        self.ctl = ctl

    def start(self) -> None:
        self.ctl.recover()

    def stop(self) -> None:
        """Nothing to undo: state is saved on every change."""


def _on_weight(ctl: KioskController, grams: Decimal) -> None:
    def apply() -> str:
        return ctl.co.on_weight(grams)

    with ctl.lock:
        verdict = apply()
        ctl.commit()
    log.debug("bagging: %s g → %s", grams, verdict)
    ctl.notify()


def _auto_bag(scale: FakeScale, line: Any, units: Decimal) -> None:
    """Demo shopper: put what was just scanned into the bag a moment later."""
    grams = units * (line.unit_grams or 0)
    if line.check_weight and grams > 0:
        threading.Timer(0.3, scale.place, args=(grams,)).start()


def _emit_fault(outbox: Outbox, fault: FaultData) -> None:
    try:
        outbox.emit("fault", fault)
    except Exception:
        log.exception("fault event not stored: %s", fault.code)


def _scale_fault(outbox: Outbox, message: str, active: bool) -> None:
    _emit_fault(
        outbox,
        FaultData(code="scale_offline", component="scale", active=active, message=message[:200]),
    )


# Device factories (real backends import their libraries lazily) ---------------------------


def build_scale(config: KioskConfig) -> Scale | None:
    sc = config.scale
    if isinstance(sc, FakeScaleConfig):
        return FakeScale(noise_g=sc.noise_g, sample_s=sc.sample_s)
    if isinstance(sc, SerialScaleConfig):
        return SerialScale(sc.port, sc.baudrate)
    return None


def build_terminal(config: KioskConfig) -> PaymentTerminal | None:
    tc = config.terminal
    if isinstance(tc, SimulatorTerminalConfig):
        return TerminalSimulator(tc.state_path, tc.latency_s, tc.default_outcome, tc.qr_auto_pay_s)
    return None


def build_cash(config: KioskConfig) -> CashAcceptor | None:
    cc = config.cash
    if isinstance(cc, FakeCashConfig):
        return FakeCashAcceptor(
            {Decimal(k): v for k, v in cc.stock.items()}, jam_on_dispense=cc.jam_on_dispense
        )
    return None


def build_printer(config: KioskConfig, checkout: Checkout) -> ReceiptPrinter:
    from kiosk.receipts import printer_adapter

    return printer_adapter(config, lambda: checkout.book)


def build_scanner(config: KioskConfig, ctl: KioskController) -> Service:
    from kiosk.scanning import scanner_service

    return scanner_service(config, ctl)


class KioskRunError(KioskError):
    code = "run_error"
