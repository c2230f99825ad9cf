"""Adapter from the scanner teammate's ScannerService (kiosk.scanner) to the controller.

Scans arrive on the scanner's thread; a refused item (unknown, expired, blocked) is shown on
the screen by the controller and logged here, never raised back into the scanner loop.
"""

from __future__ import annotations

import logging

from edge.runtime import Service
from kiosk.config import KioskConfig
from kiosk.controller import KioskController
from kiosk.exceptions import KioskError
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.service import ScannerService

log = logging.getLogger(__name__)


def route_scan(ctl: KioskController, code: ScannedCode) -> None:
    text = code.payment_code or code.gtin or code.text
    try:
        ctl.scan(
            text,
            gtin=code.gtin,
            weight_kg=code.weight_kg,
            price=code.price,
            expiry=code.expiry,
            payment_code=code.payment_code is not None,
        )
    except KioskError as exc:
        log.info("scan %s refused: %s", text, exc)


def scanner_service(config: KioskConfig, ctl: KioskController) -> Service:
    return ScannerService(
        config.scanner, config.gs1, lambda code: route_scan(ctl, code), ctl.is_known
    )
