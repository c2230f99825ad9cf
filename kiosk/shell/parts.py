"""The shell's parts, each built with what it needs (constructor arguments only; no part is
attached to another after it is built), in this order::

    Printing   (Session, ReceiptPrinter)            hears each new sale: Session.on_sale
    Payments   (Session, PaymentAdapter, CashAcceptor)
    Members    (Session, MemberLookup)
    Scanning   (Session, Payments, Members, ScanRules, the demo shopper's bagging hand)
    Attendant  (Session, PIN and badge check)
    ReturnDesk (Session, Attendant, Printing, PaymentAdapter, CashAcceptor)
    Suspending (Session)      Bagging (Session)
    Pickups    (store code, MemberLookup, Printing)  online orders collected here

:func:`build_parts` is the only place that knows all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from contracts.messages import FaultData
from kiosk.config import KioskConfig
from kiosk.shell.attendant import Attendant, attendant_checker
from kiosk.shell.bagging import Bagging
from kiosk.shell.devices import Devices
from kiosk.shell.members import Members
from kiosk.shell.payment import Payments
from kiosk.shell.pickup import Pickups
from kiosk.shell.printing import Printing
from kiosk.shell.returns import ReturnDesk
from kiosk.shell.scanning import Scanning, ScanRules
from kiosk.shell.session import Session
from kiosk.shell.suspending import Suspending


@dataclass(frozen=True)
class Parts:
    session: Session
    printing: Printing
    payments: Payments
    members: Members
    scanning: Scanning
    attendant: Attendant
    suspending: Suspending
    returns: ReturnDesk
    bagging: Bagging
    pickups: Pickups
    cash_slot: Callable[[Decimal], None] | None = None
    """A fake acceptor's note slot (the demo page's notes); None on real hardware."""
    wallet: Callable[[str], None] | None = None
    """A payment simulator's stand-in for the shopper's wallet app; None on a real adapter."""


def build_parts(
    config: KioskConfig,
    session: Session,
    devices: Devices,
    emit_fault: Callable[[FaultData], None],
    clock: Callable[[], datetime],
) -> Parts:
    adapter, cash = devices.payment.adapter, devices.cash.acceptor
    printing = Printing(session, devices.printer, emit_fault)
    payments = Payments(session, adapter, cash)
    members = Members(session, devices.members)
    rules = ScanRules(config.checkout.member_card_prefix, config.gs1)
    scanning = Scanning(session, payments, members, rules, bag=devices.scale.bag)
    attendant = Attendant(session, attendant_checker(config.attendants))
    returns = ReturnDesk(
        session, attendant, adapter=adapter, cash=cash, printing=printing, clock=clock
    )
    return Parts(
        session=session,
        printing=printing,
        payments=payments,
        members=members,
        scanning=scanning,
        attendant=attendant,
        suspending=Suspending(session),
        returns=returns,
        bagging=Bagging(session, emit_fault),
        pickups=Pickups(config.identity.store, devices.members, printing),
        cash_slot=devices.cash.slot,
        wallet=devices.payment.wallet,
    )
