"""Errors of the printer package; socket, pyserial, pyusb and file errors map to these.

:class:`PrinterFault` carries a stable ``code`` (``printer_paper_out``, ``printer_offline``,
``printer_busy``, ``printer_error``) that the kiosk turns into an attendant intervention
and a ``fault`` event, so the shopper never sees a silent failure.
"""

from __future__ import annotations

from typing import Literal

from contracts.messages import FaultData
from kiosk.exceptions import KioskError

FaultCode = Literal["printer_paper_out", "printer_offline", "printer_busy", "printer_error"]


class PrinterError(KioskError):
    """Base of printer errors."""

    code = "printer_error"


class PrinterFault(PrinterError):
    """The printer cannot print now; ``code`` says why in a stable, translatable key."""

    def __init__(self, code: FaultCode, message: str) -> None:
        super().__init__(message, code)
        self.fault_code: FaultCode = code

    def fault_data(self, component: str = "printer") -> FaultData:
        """The ``fault`` event payload for this fault."""
        severity: Literal["warning", "error"] = (
            "warning" if self.fault_code == "printer_busy" else "error"
        )
        return FaultData(
            code=self.fault_code, component=component, severity=severity, message=str(self)[:200]
        )


class ReceiptNotFound(PrinterError):
    """A reprint asked for a receipt number this printer no longer holds."""

    code = "unknown_receipt"


class FontMissing(PrinterError):
    """No CJK font for image rendering; the renderer falls back to ``?`` and logs this."""

    code = "printer_font_missing"
