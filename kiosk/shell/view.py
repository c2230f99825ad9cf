"""The screen's view of the kiosk: one JSON-able dict built under the session's lock.

Kept apart from the parts so the shell's actions and the page's shape change separately.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from contracts.pricing_model import PricedBasket
from kiosk.shell.members import Members
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


def build_view(session: Session, members: Members) -> dict[str, Any]:
    with session.lock:
        return _view(session, members)


def _lines(session: Session, priced: PricedBasket | None) -> list[dict[str, Any]]:
    by_id = {ln.line_id: ln for ln in priced.lines} if priced else {}
    lines = []
    for ln in session.co.cart.lines:
        p = by_id.get(ln.line_id)
        lines.append(
            {
                "line_id": ln.line_id,
                "name": ln.name,
                "name_zh": ln.name_zh,
                "qty": format(ln.qty, "f"),
                "weighed": ln.weighed,
                "unit_price": format(p.unit_price, "f") if p else None,
                "amount": format(p.net, "f") if p else None,
                "discount": format(p.discount_total, "f") if p else "0",
                "needs_bagging": ln.needs_bagging,
                "bagged": ln.any_bagged,
            }
        )
    return lines


def _view(session: Session, members: Members) -> dict[str, Any]:
    co, screen = session.co, session.screen
    priced: PricedBasket | None = None
    try:
        priced = co.priced() if co.cart.lines else None
    except Exception as exc:  # a bad price book must not take the screen down
        log.error("pricing failed: %s", exc)
    gifts = [{"name": g.name, "name_zh": g.name_zh} for g in priced.gifts] if priced else []
    attempt = co.ledger.open_attempt() or (co.ledger.attempts[-1] if co.ledger.attempts else None)
    due = co.ledger.remaining(priced.due) if priced else Decimal(0)
    return {
        "phase": co.phase,
        "blocked": co.blocked,
        "store_name": screen.store_name,
        "currency": co.book.currency,
        "pricebook_version": co.book.version,
        "cart_id": co.cart.cart_id,
        "lines": _lines(session, priced),
        "gifts": gifts,
        "member": co.cart.member.as_payload() if co.cart.member else None,
        "member_info": members.view(),
        "coupons": list(co.cart.coupons),
        "points": co.cart.points,
        "points_limit": co.book.points.offline_redeem_limit,
        "totals": {
            "subtotal": format(priced.subtotal, "f") if priced else "0.00",
            "discount_total": format(priced.discount_total, "f") if priced else "0.00",
            "tax_total": format(priced.tax_total, "f") if priced else "0.00",
            "total": format(priced.total, "f") if priced else "0.00",
            "points_value": format(priced.points_value, "f") if priced else "0.00",
            "due": format(max(due, Decimal(0)), "f"),
            "paid": format(co.ledger.paid(), "f"),
            "cash_in": format(co.ledger.cash_in, "f"),
            "change": format(co.ledger.change, "f"),
        },
        "attempt": (
            {"status": attempt.status, "method": attempt.method, "message": attempt.message}
            if attempt
            else None
        ),
        "qr": screen.qr_payload,
        "interventions": [
            {"id": i.intervention_id, "kind": i.kind, "detail": i.detail}
            for i in co.open_interventions
        ],
        "sale": (
            {
                "sale_id": co.sale.sale_id,
                "total": format(co.sale.total, "f"),
                "change": format(co.sale.change, "f"),
                "receipt_url": (
                    screen.receipt_link(co.sale.sale_id) if screen.receipt_link else None
                ),
            }
            if co.sale
            else None
        ),
        "message": {"code": screen.message.code, "text": screen.message.text}
        if screen.message
        else None,
        "suspend_code": screen.suspend_code,
        "language": screen.language,
    }
