"""Behavioural fakes shared by the kiosk tests (a printer that can run out of paper)."""

from __future__ import annotations

import threading

from contracts.messages import SaleData
from contracts.pricebook import PriceBook
from kiosk.exceptions import PrintFailed
from kiosk.shell.printing import ReturnSlip


class RecordingPrinter:
    """A :class:`~kiosk.shell.printing.ReceiptPrinter` that records what it printed."""

    def __init__(self) -> None:
        self.printed: list[tuple[str, bool]] = []
        self.returns: list[str] = []
        self.fault: str | None = None
        self.done = threading.Event()

    def print_sale(self, sale: SaleData, book: PriceBook, reprint: bool = False) -> None:
        if self.fault is not None:
            self.done.set()
            raise PrintFailed(f"printer says {self.fault}", self.fault)
        self.printed.append((sale.sale_id, reprint))
        self.done.set()

    def print_return(self, slip: ReturnSlip) -> None:
        if self.fault is not None:
            raise PrintFailed(f"printer says {self.fault}", self.fault)
        self.returns.append(slip.event.return_id)
