"""The pickup part: a shopper collects an online order with its pickup code.

The cloud owns the order, so this needs the cloud: it marks the order collected and records
its sale (paid online, so nothing is paid here), and the kiosk prints that sale's receipt
with the checkout's own printing. No cart and no checkout phase are touched; offline, the
shopper is told to ask staff (:class:`~kiosk.exceptions.CloudUnavailable`, a 409 on screen).
"""

from __future__ import annotations

import logging

from contracts.messages import SaleData
from kiosk.cloud_api.lookup import MemberLookup
from kiosk.shell.printing import Printing

log = logging.getLogger(__name__)


class Pickups:
    def __init__(self, store: str, cloud: MemberLookup, printing: Printing) -> None:
        self.store = store
        self.cloud = cloud
        self.printing = printing

    def collect(self, pickup_code: str) -> SaleData:
        """Collect the order (CloudRefused: unknown, not ready or already collected), then
        print its receipt off the lock; the sale is returned for the screen."""
        sale = self.cloud.collect_order(self.store, pickup_code.strip())
        log.info("online order collected here: %s", sale.sale_id)
        self.printing.print_in_background(sale, reprint=False)
        return sale
