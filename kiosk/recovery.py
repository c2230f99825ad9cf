"""After a restart: the saved checkout, the price book its open cart began with, and any
payment left in flight.

Runs once before the screen and the scanners start; kept apart from the controller because
it only reads what the shell wrote and hands it back to the pure checkout.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from contracts.exceptions import ContractError
from contracts.pricebook import decode_pricebook

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)


def recover(ctl: KioskController) -> None:
    """Reload the saved checkout and settle any payment left in flight."""
    snapshot = ctl.store.load_state()
    if snapshot is not None:
        with ctl.lock:
            try:
                ctl.co.restore(snapshot)
            except (KeyError, ValueError, TypeError) as exc:
                log.error("saved checkout unreadable, starting fresh: %s", exc)
        log.info("recovered checkout: %s, %d lines", ctl.co.phase, len(ctl.co.cart.lines))
        recover_book(ctl, snapshot.get("book_version"))
    if ctl.payments is not None:
        ctl.payments.recover()
    with ctl.lock:
        ctl.complete_if_paid()


def recover_book(ctl: KioskController, version: Any) -> None:
    """A cart open across a restart keeps the price book it started with, if still kept."""
    if not isinstance(version, int) or ctl.co.phase not in ("scanning", "paying"):
        return
    if version >= ctl.co.book.version:
        return
    raw = ctl.store.load_pricebook(version)
    if raw is None:
        log.warning("price book v%d of the open cart is gone: repriced", version)
        return
    try:
        book = decode_pricebook(raw)
    except ContractError as exc:
        log.error("stored price book v%d unreadable: %s", version, exc)
        return
    with ctl.lock:
        if ctl.co.keep_book_for_open_cart(book):
            log.info("open cart keeps price book v%d until its end", version)
