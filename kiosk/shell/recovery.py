"""After a restart: the saved checkout, the price book its open cart began with, and any
payment left in flight.

The first service of the node: runs once before the screen and the scanners start; it only
reads what the shell wrote and hands it back to the pure checkout and the payments part.
"""

from __future__ import annotations

import logging

from contracts.exceptions import ContractError
from contracts.pricebook import decode_pricebook
from kiosk.domain.transitions import OPEN_CART
from kiosk.shell.payment import Payments
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


class Recovery:
    """First service: restore the saved checkout and settle payments left in flight."""

    name = "kiosk-recovery"

    def __init__(self, session: Session, payments: Payments) -> None:
        self.session = session
        self.payments = payments

    def start(self) -> None:
        session = self.session
        snapshot = session.store.load_state()
        if snapshot is not None:
            with session.lock:
                try:
                    session.co.restore(snapshot)
                except (KeyError, ValueError, TypeError) as exc:
                    log.error("saved checkout unreadable, starting fresh: %s", exc)
            co = session.co
            log.info("recovered checkout: %s, %d lines", co.phase, len(co.cart.lines))
            recover_book(session, snapshot.get("book_version"))
        self.payments.recover()
        with session.lock:
            session.complete_if_paid()

    def stop(self) -> None:
        """Nothing to undo: state is saved on every change."""


def recover_book(session: Session, version: object) -> None:
    """A cart open across a restart keeps the price book it started with, if still kept."""
    if not isinstance(version, int) or session.co.phase not in OPEN_CART:
        return
    if version >= session.co.book.version:
        return
    raw = session.store.load_pricebook(version)
    if raw is None:
        log.warning("price book v%d of the open cart is gone: repriced", version)
        return
    try:
        book = decode_pricebook(raw)
    except ContractError as exc:
        log.error("stored price book v%d unreadable: %s", version, exc)
        return
    with session.lock:
        if session.co.keep_book_for_open_cart(book):
            log.info("open cart keeps price book v%d until its end", version)
