"""The printing part: receipts of sales and return slips, printed off the checkout's lock.

A sale is printed when the session writes it (the part subscribes with
:meth:`~kiosk.shell.session.Session.on_sale`), on its own thread so a slow or jammed printer
never holds the checkout; a printer fault becomes an intervention on the screen and a
``fault`` event, the sale stands. The sale is the source of truth: its receipt is derived
from it (again for a reprint after a reboot), never stored.

:class:`SalePrinter` lays sales and returns out as :class:`~kiosk.printer.receipt.Receipt`
for the printer package's :class:`~kiosk.printer.service.Printer`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from contracts.messages import FaultData, ReturnData, SaleData
from contracts.pricebook import PriceBook
from contracts.pricing import points_earned
from contracts.refunds import RefundPlan
from kiosk.domain.returns import RECEIPT_URL, Refund, receipt_number
from kiosk.exceptions import PrintFailed, UnknownCode
from kiosk.printer.exceptions import PrinterError, PrinterFault
from kiosk.printer.receipt import (
    MemberBlock,
    Receipt,
    ReceiptDiscount,
    ReceiptLine,
    StoreHeader,
    TenderRow,
    mask_card,
    mask_phone,
)
from kiosk.printer.service import Printer
from kiosk.printer.status import PaperStatus
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReturnSlip:
    """A return as its slip shows it: the event, the sale, the plan, the refunds paid."""

    event: ReturnData
    sale: SaleData
    plan: RefundPlan
    refunds: Sequence[Refund]


class ReceiptPrinter(Protocol):
    def print_sale(self, sale: SaleData, book: PriceBook, reprint: bool = False) -> None:
        """Print the receipt; raise :class:`PrintFailed` naming a fault code."""
        ...

    def print_return(self, slip: ReturnSlip) -> None:
        """Print a return slip; raise :class:`PrintFailed` naming a fault code."""
        ...


@runtime_checkable
class StatusAware(Protocol):
    def ready(self) -> bool | None:
        """True when the printer reports itself fit to print, None when it does not answer."""
        ...


class Printing:
    def __init__(
        self,
        session: Session,
        printer: ReceiptPrinter,
        emit_fault: Callable[[FaultData], None],
        watch_every_s: float = 2.0,
    ) -> None:
        self.session = session
        self.printer = printer
        self.emit_fault = emit_fault
        self.watch_every_s = watch_every_s
        self._watching: str | None = None
        self._watch_lock = threading.Lock()
        session.on_sale(lambda sale: self.print_in_background(sale, reprint=False))

    def reprint(self, sale_id: str | None = None) -> None:
        """The sale on screen, or one of this kiosk's sales by id."""
        session = self.session
        sale = session.co.sale if sale_id is None else session.store.sale(sale_id)
        if sale is None:
            raise UnknownCode("no sale to reprint")
        self.print_in_background(sale, reprint=True)

    def print_in_background(self, sale: SaleData, reprint: bool) -> None:
        threading.Thread(target=self.print_now, args=(sale, reprint), daemon=True).start()

    def print_now(self, sale: SaleData, reprint: bool) -> None:
        """Print; never raises (the shopper has paid whatever the printer does)."""
        session = self.session
        try:
            self.printer.print_sale(sale, session.co.book, reprint=reprint)
        except PrintFailed as exc:
            log.warning("receipt of %s not printed: %s", sale.sale_id, exc)
            with session.lock:
                session.co.raise_intervention("printer_fault", exc.code, {})
                session.commit()
            self.emit_fault(FaultData(code=exc.code, component="printer", message=str(exc)[:200]))
            session.notify()
            self._watch(exc.code)
            return
        except Exception:
            log.exception("printer crashed on %s", sale.sale_id)
            return
        log.info("receipt of %s printed", sale.sale_id)

    def _watch(self, code: str) -> None:
        """Poll the printer until it says it is ready again, then clear the fault: the cloud's
        alert ends when the paper is loaded, not at the next sale's receipt."""
        if not isinstance(self.printer, StatusAware):
            return
        with self._watch_lock:
            if self._watching is not None:
                return
            self._watching = code
        threading.Thread(target=self._watch_loop, name="printer-watch", daemon=True).start()

    def _watch_loop(self) -> None:
        printer = self.printer
        assert isinstance(printer, StatusAware)
        stop = threading.Event()
        while not stop.wait(self.watch_every_s):
            try:
                ready = printer.ready()
            except Exception:
                log.debug("printer status check failed", exc_info=True)
                continue
            if ready:
                break
        with self._watch_lock:
            code, self._watching = self._watching, None
        log.info("printer ready again: %s cleared", code)
        try:
            self.emit_fault(
                FaultData(code=code or "printer_error", component="printer", active=False)
            )
        except Exception:  # the node stopped meanwhile: the next fault check will tell
            log.warning("printer fault cleared but not reported", exc_info=True)

    def print_return(self, slip: ReturnSlip) -> None:
        """Print a return slip; never raises (the refund stands; the attendant can note it)."""
        try:
            self.printer.print_return(slip)
        except Exception as exc:
            log.warning("return slip %s not printed: %s", slip.event.return_id, exc)


def sale_receipt(
    sale: SaleData,
    book: PriceBook,
    store_name: str,
    kiosk_id: str,
    language: Literal["en", "zh-Hans"] = "en",
    reprint: bool = False,
    qr_url: str | None = None,
) -> Receipt:
    """The receipt; ``qr_url`` is the e-receipt link (default: the sale number as a URL the
    return desk reads)."""
    member = sale.model_dump(mode="json").get("member") or None
    paid = sum((t.amount for t in sale.tenders if t.method != "points"), Decimal(0)) - sale.change
    block = None
    if member:
        masked = mask_phone(member["phone"]) if "phone" in member else mask_card(member["card"])
        redeemed = int(getattr(sale, "points_redeemed", 0) or 0)
        block = MemberBlock(
            masked_id=masked, points_earned=points_earned(book, paid), points_redeemed=redeemed
        )
    try:
        tz = ZoneInfo(book.timezone)
    except (ValueError, KeyError):
        tz = None
    return Receipt(
        store=StoreHeader(name=store_name),
        kiosk_id=kiosk_id,
        receipt_no=receipt_number(sale.sale_id),
        time=sale.completed_at.astimezone(tz) if tz else sale.completed_at,
        currency=sale.currency,
        lines=tuple(
            ReceiptLine(
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                amount=ln.amount,
                discounts=tuple(
                    ReceiptDiscount(name=d.promotion, amount=d.amount) for d in ln.discounts
                ),
                weighed=ln.qty != ln.qty.to_integral_value(),
            )
            for ln in sale.lines
        ),
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_inclusive=sale.tax_inclusive,
        tax_total=sale.tax_total,
        total=sale.total,
        tenders=tuple(
            TenderRow(method=t.method, amount=t.amount, reference=t.reference[-6:])
            for t in sale.tenders
        ),
        change=sale.change,
        member=block,
        qr_url=qr_url or f"{RECEIPT_URL}{sale.sale_id}",
        reprint=reprint,
        language="zh-Hans" if language == "zh-Hans" else "en",
    )


def return_receipt(slip: ReturnSlip, store_name: str, kiosk_id: str) -> Receipt:
    """The return slip: returned lines at their sold price, reversed discounts, refund tenders.

    ``total`` is the refund; ``subtotal − discount_total`` equals it (tax included).
    """
    event, sale, plan = slip.event, slip.sale, slip.plan
    lines = []
    for x in plan.lines:
        sold = sale.lines[x.line_no - 1]
        lines.append(
            ReceiptLine(
                name=sold.name,
                qty=x.qty,
                unit_price=sold.unit_price,
                amount=x.amount + x.discount,
                discounts=(ReceiptDiscount(name="discount", amount=x.discount),)
                if x.discount
                else (),
                weighed=sold.qty != sold.qty.to_integral_value(),
            )
        )
    return Receipt(
        store=StoreHeader(name=store_name),
        kiosk_id=kiosk_id,
        receipt_no=receipt_number(event.return_id),
        time=event.completed_at,
        currency=sale.currency,
        lines=tuple(lines),
        subtotal=plan.total + plan.discount,
        discount_total=plan.discount,
        tax_inclusive=True,
        tax_total=plan.tax,
        total=plan.total,
        tenders=tuple(
            TenderRow(method=r.method, amount=r.amount, reference=r.reference[-6:])
            for r in slip.refunds
        ),
        footer=(
            "*** RETURN / 退货 ***",
            f"Sale {sale.sale_id[:24]}",
            f"By {event.approved_by or '-'}: {event.reason[:40]}",
        ),
    )


class SalePrinter:
    """A :class:`ReceiptPrinter` on the printer package's :class:`Printer`: lays the sale or
    the return out as a receipt; printer faults become :class:`PrintFailed`."""

    def __init__(
        self,
        printer: Printer,
        store_name: str,
        kiosk_id: str,
        language: Literal["en", "zh-Hans"] = "en",
        link: Callable[[str], str] | None = None,
    ) -> None:
        self.printer = printer
        self.store_name = store_name
        self.kiosk_id = kiosk_id
        self.language: Literal["en", "zh-Hans"] = language
        self.link = link or (lambda sale_id: f"{RECEIPT_URL}{sale_id}")

    def print_sale(self, sale: SaleData, book: PriceBook, reprint: bool = False) -> None:
        self._print(
            sale_receipt(
                sale,
                book,
                self.store_name,
                self.kiosk_id,
                self.language,
                reprint,
                qr_url=self.link(sale.sale_id),
            )
        )

    def print_return(self, slip: ReturnSlip) -> None:
        self._print(return_receipt(slip, self.store_name, self.kiosk_id))

    def ready(self) -> bool | None:
        status = self.printer.status()
        if status.online is None:
            return None
        return bool(status.online) and status.paper is not PaperStatus.OUT

    def _print(self, receipt: Receipt) -> None:
        try:
            self.printer.print_receipt(receipt)
        except PrinterFault as exc:
            raise PrintFailed(str(exc), str(exc.code)) from exc
        except PrinterError as exc:
            raise PrintFailed(str(exc), "printer_offline") from exc
