"""Behavioural fakes shared by the kiosk tests (a printer that can run out of paper)."""

from __future__ import annotations

import threading

from contracts.messages import SaleData
from kiosk.exceptions import PrintFailed


class RecordingPrinter:
    def __init__(self) -> None:
        self.printed: list[tuple[str, bool]] = []
        self.fault: str | None = None
        self.done = threading.Event()

    def print_sale(self, sale: SaleData, reprint: bool = False) -> None:
        if self.fault is not None:
            self.done.set()
            raise PrintFailed(f"printer says {self.fault}", self.fault)
        self.printed.append((sale.sale_id, reprint))
        self.done.set()
