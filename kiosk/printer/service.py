"""The printer service: layout → render → status check → send, with fault mapping.

Blocking (sockets, serial, USB): the kiosk calls it from a worker thread; a lock makes
jobs sequential. Faults surface as :class:`PrinterFault` with a stable code; unknown
status (the printer said nothing) does not block printing, it is only logged.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from kiosk.printer.backends import Transport, build_transport
from kiosk.printer.config import AnyPrinterConfig
from kiosk.printer.exceptions import PrinterFault, ReceiptNotFound
from kiosk.printer.fake import DummyTransport
from kiosk.printer.receipt import Receipt, layout
from kiosk.printer.render import Renderer, RenderSettings
from kiosk.printer.status import (
    REQ_OFFLINE_CAUSE,
    REQ_PAPER,
    REQ_PRINTER,
    PaperStatus,
    PrinterStatus,
    parse_offline_cause,
    parse_online,
    parse_paper,
)

log = logging.getLogger(__name__)


class Printer:
    """One receipt printer; keeps the last receipts for :meth:`reprint`."""

    def __init__(
        self,
        config: AnyPrinterConfig,
        transport: Transport | None = None,
        renderer: Renderer | None = None,
    ) -> None:
        self.config = config
        self.transport = transport or build_transport(config)
        self.renderer = renderer or Renderer(RenderSettings.from_config(config))
        self._history: OrderedDict[str, Receipt] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def width_chars(self) -> int:
        return self.renderer.width_chars

    def render(self, receipt: Receipt) -> bytes:
        """The exact bytes :meth:`print_receipt` sends (golden tests, previews)."""
        return self.renderer.render(layout(receipt, self.width_chars))

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt``; :class:`PrinterFault` if the printer cannot print it now."""
        self._remember(receipt)
        data = self.render(receipt)
        with self._lock:
            try:
                self.transport.open()
                if self.config.check_status:
                    self._ensure_ready(self._status_open())
                self.transport.write(data)
            except PrinterFault as exc:
                log.warning("receipt %s not printed: %s (%s)", receipt.receipt_no, exc, exc.code)
                raise
            except Exception as exc:
                log.exception("receipt %s: unexpected printer failure", receipt.receipt_no)
                raise PrinterFault("printer_error", f"unexpected printer failure: {exc}") from exc
            finally:
                self.transport.close()
        log.info("receipt %s printed (%d bytes)", receipt.receipt_no, len(data))

    def reprint(self, receipt_no: str) -> None:
        """Print a kept receipt again, marked as a reprint."""
        receipt = self._history.get(receipt_no)
        if receipt is None:
            raise ReceiptNotFound(f"receipt {receipt_no} is not kept for reprint")
        self.print_receipt(receipt.model_copy(update={"reprint": True}))

    def paper_status(self) -> PaperStatus:
        """Paper state; UNKNOWN when the printer does not answer (never assumed OK)."""
        return self.status().paper

    def status(self) -> PrinterStatus:
        """Ask the printer; an unreachable printer reads as offline, not as an exception."""
        with self._lock:
            try:
                self.transport.open()
                return self._status_open()
            except PrinterFault as exc:
                if exc.code == "printer_offline":
                    return PrinterStatus(online=False, paper=PaperStatus.UNKNOWN)
                raise
            finally:
                self.transport.close()

    def _status_open(self) -> PrinterStatus:
        timeout = self.config.status_timeout_s
        answer = self.transport.query(REQ_PRINTER, timeout)
        if answer is None:
            return PrinterStatus(online=None, paper=PaperStatus.UNKNOWN)
        online = parse_online(answer)
        paper = parse_paper(self.transport.query(REQ_PAPER, timeout))
        cover = error = None
        if online is False:
            cover, paper_stop, error = parse_offline_cause(
                self.transport.query(REQ_OFFLINE_CAUSE, timeout)
            )
            if paper_stop:
                paper = PaperStatus.OUT
        return PrinterStatus(online=online, paper=paper, cover_open=cover, error=error)

    @staticmethod
    def _ensure_ready(status: PrinterStatus) -> None:
        if status.paper is PaperStatus.OUT:
            raise PrinterFault("printer_paper_out", "the printer is out of paper")
        if status.online is False:
            detail = "cover open" if status.cover_open else "offline"
            raise PrinterFault("printer_offline", f"the printer is {detail}")
        if status.paper is PaperStatus.NEAR_END:
            log.warning("printer paper is near its end")
        if status.online is None or status.paper is PaperStatus.UNKNOWN:
            log.info("printer status unknown (no answer); printing anyway")

    def _remember(self, receipt: Receipt) -> None:
        self._history[receipt.receipt_no] = receipt.model_copy(update={"reprint": False})
        self._history.move_to_end(receipt.receipt_no)
        while len(self._history) > self.config.keep_receipts:
            self._history.popitem(last=False)

    @property
    def dummy(self) -> DummyTransport | None:
        """The in-memory transport when ``type: dummy`` (tests, simulators)."""
        return self.transport if isinstance(self.transport, DummyTransport) else None
