"""The bagging part: stable weights from the scale's thread checked against the cart, and
scale faults reported as ``fault`` events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from contracts.messages import FaultData
from kiosk.scale.base import Scale
from kiosk.scale.config import StabilityConfig
from kiosk.scale.service import ScaleService
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


class Bagging:
    def __init__(self, session: Session, emit_fault: Callable[[FaultData], None]) -> None:
        self.session = session
        self.emit_fault = emit_fault

    def on_stable(self, grams: Decimal) -> None:
        """A new stable weight (the scale's thread)."""
        session = self.session
        with session.lock:
            verdict = session.co.on_weight(grams)
            session.commit()
        log.debug("bagging: %s g → %s", grams, verdict)
        session.notify()

    def on_fault(self, message: str, active: bool) -> None:
        fault = FaultData(
            code="scale_offline", component="scale", active=active, message=message[:200]
        )
        self.emit_fault(fault)

    def service(self, scale: Scale, stability: StabilityConfig) -> ScaleService:
        """The scale's thread feeding this part."""
        return ScaleService(
            scale,
            on_stable=self.on_stable,
            on_fault=self.on_fault,
            window=stability.window,
            spread_g=stability.spread_g,
        )
