"""Kiosk return and invoice-request events, applied inside the ingest transaction.

A refused return (lines already returned, sale unknown) must not dead-letter the batch nor
crash the worker: it is logged and kept as a note, since the kiosk already paid out.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.exceptions import CloudError
from cloud.invoices import service as invoices
from cloud.returns.service import Wanted, process_return
from contracts.messages import InvoiceRequestData, ReturnData

log = logging.getLogger(__name__)


def apply(
    session: Session, node: str, data: ReturnData | InvoiceRequestData, now: datetime
) -> None:
    try:
        with session.begin_nested():
            if isinstance(data, ReturnData):
                ret = process_return(
                    session,
                    sale_id=data.sale_id,
                    wanted=[Wanted(x.line_no, x.qty, x.disposition) for x in data.lines],
                    reason=data.reason,
                    now=data.completed_at,
                    return_no=data.return_id,
                    node=node,
                    processed_by=data.approved_by,
                )
                if ret.refund_total != data.refund_total:
                    log.warning(
                        "return %s: kiosk refunded %s, cloud computed %s",
                        data.return_id,
                        data.refund_total,
                        ret.refund_total,
                    )
                    ret.note = (ret.note + f" kiosk refunded {data.refund_total}").strip()
            else:
                invoices.record_from_kiosk(
                    session,
                    sale_id=data.sale_id,
                    buyer_name=data.buyer_name,
                    tax_id=data.tax_id,
                    email=data.email,
                    now=now,
                )
    except CloudError as exc:
        log.warning("%s event from %s not applied: %s", type(data).__name__, node, exc)
