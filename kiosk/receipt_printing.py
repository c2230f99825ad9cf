"""The receipt printer as the controller sees it, and the job that prints a sale off the lock.

Printing runs on its own thread so a slow or jammed printer never holds the checkout; a
printer fault becomes an intervention on the screen and a ``fault`` event, the sale stands.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Protocol

from contracts.messages import FaultData, SaleData
from kiosk.exceptions import PrintFailed

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)


class ReceiptPrinter(Protocol):
    def print_sale(self, sale: SaleData, reprint: bool = False) -> None:
        """Print the receipt; raise :class:`PrintFailed` naming a fault code."""
        ...


def print_in_background(ctl: KioskController, sale: SaleData, reprint: bool) -> None:
    threading.Thread(target=print_receipt, args=(ctl, sale, reprint), daemon=True).start()


def print_receipt(ctl: KioskController, sale: SaleData, reprint: bool) -> None:
    """Print now; never raises (the shopper has paid whatever the printer does)."""
    if ctl.printer is None:
        return
    try:
        ctl.printer.print_sale(sale, reprint=reprint)
    except PrintFailed as exc:
        log.warning("receipt of %s not printed: %s", sale.sale_id, exc)
        with ctl.lock:
            ctl.co.raise_intervention("printer_fault", exc.code, {})
            ctl.commit()
        if ctl.emit_fault is not None:
            ctl.emit_fault(FaultData(code=exc.code, component="printer", message=str(exc)[:200]))
        ctl.notify()
        return
    except Exception:
        log.exception("printer crashed on %s", sale.sale_id)
        return
    log.info("receipt of %s printed", sale.sale_id)
