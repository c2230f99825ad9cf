"""What the kiosk talks to, built from the config at the edge of ``build_node``.

Each config section picks its device by ``type:`` and builds it (a scale, a payment adapter,
a cash acceptor, each with the demo shopper's hands when it is a fake; the cloud API client
for members), so nothing inside
``build_node`` branches on what kind of device it got. Tests and simulators replace single
devices: ``Devices.from_config(config, printer=RecordingPrinter())``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from edge.runtime import Service
from kiosk.cloud_api.lookup import MemberLookup
from kiosk.config import KioskConfig
from kiosk.payment.base import PaymentSetup
from kiosk.payment.cash import CashSetup
from kiosk.printer.service import Printer
from kiosk.scale.base import ScaleSetup
from kiosk.scanner.service import ScannerService
from kiosk.shell.printing import ReceiptPrinter, SalePrinter
from kiosk.shell.scanning import Scanning

DecodeTimer = Callable[[str], AbstractContextManager[None]]
"""Times one frame decode or scanner line (the node's metrics)."""

ScannerFactory = Callable[[Scanning, DecodeTimer], Service]
"""The scanner service feeding the scanning part."""


@dataclass(frozen=True)
class Devices:
    scale: ScaleSetup
    payment: PaymentSetup
    cash: CashSetup
    printer: ReceiptPrinter
    scanner: ScannerFactory
    members: MemberLookup

    @classmethod
    def from_config(
        cls,
        config: KioskConfig,
        *,
        scale: ScaleSetup | None = None,
        payment: PaymentSetup | None = None,
        cash: CashSetup | None = None,
        printer: ReceiptPrinter | None = None,
        scanner: ScannerFactory | None = None,
        members: MemberLookup | None = None,
    ) -> Devices:
        """The devices the config names, except those given."""
        return cls(
            scale=scale or config.scale.build(),
            payment=payment or config.payment.build(),
            cash=cash or config.cash.build(),
            printer=printer or sale_printer(config),
            scanner=scanner or scanner_from(config),
            members=members or config.cloud_api.build(),
        )


def sale_printer(config: KioskConfig) -> SalePrinter:
    return SalePrinter(
        Printer(config.printer),
        config.checkout.store_name,
        config.identity.node,
        config.ui.language,
        config.receipts.link(config.identity.store),
    )


def scanner_from(config: KioskConfig) -> ScannerFactory:
    """The scanner package's service for ``scanner:`` (``type: none`` starts no thread)."""

    def build(scanning: Scanning, timer: DecodeTimer) -> Service:
        service = ScannerService(config.scanner, config.gs1, scanning.on_scanned, scanning.is_known)
        service.decode_timer = timer  # the scanner's hook for the node's metrics
        return service

    return build
