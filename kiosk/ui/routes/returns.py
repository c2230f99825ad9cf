"""After the sale: attendant returns (open a sale, quote, confirm, cancel) and the shopper's
invoice request. Errors are :class:`KioskError` (409 ``{"code", "message"}``), like every
other action of the page.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from contracts.refunds import RefundPlan
from kiosk.exceptions import ReturnError
from kiosk.shell.invoice import request_invoice
from kiosk.shell.returns import OpenReturn
from kiosk.ui.deps import Body, PartsDep

router = APIRouter(prefix="/api")


class ReturnStartBody(Body):
    secret: str = Field(min_length=1, max_length=64)
    kind: Literal["pin", "badge"] = "pin"
    receipt: str = Field(min_length=1, max_length=300, description="Receipt QR or sale number")


class ReturnLineBody(Body):
    line_no: int = Field(ge=1, le=10_000)
    qty: str = Field(max_length=12)


class ReturnBody(Body):
    lines: list[ReturnLineBody] = Field(max_length=500)
    damaged: list[int] = Field(default_factory=list, max_length=500)
    reason: str = Field(default="", max_length=200)


class InvoiceBody(Body):
    buyer_name: str = Field(min_length=1, max_length=200)
    tax_id: str = Field(default="", pattern=r"^[0-9A-Za-z-]{0,40}$")
    email: str = Field(default="", max_length=200)


def _wanted(body: ReturnBody) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = {}
    for line in body.lines:
        try:
            qty = Decimal(line.qty)
        except InvalidOperation as exc:
            raise ReturnError("bad quantity", "bad_qty") from exc
        if not qty.is_finite() or qty < 0:
            raise ReturnError("bad quantity", "bad_qty")
        if qty > 0:
            wanted[line.line_no] = wanted.get(line.line_no, Decimal(0)) + qty
    if not wanted:
        raise ReturnError("pick at least one line", "nothing_picked")
    return wanted


def open_view(current: OpenReturn) -> dict[str, Any]:
    sale = current.sale
    return {
        "return_id": current.return_id,
        "sale_id": sale.sale_id,
        "attendant": current.attendant,
        "completed_at": sale.completed_at.isoformat(),
        "total": format(sale.total, "f"),
        "tenders": [{"method": t.method, "amount": format(t.amount, "f")} for t in sale.tenders],
        "lines": [
            {
                "line_no": no,
                "name": ln.name,
                "qty": format(ln.qty, "f"),
                "left": format(ln.qty - current.returned.get(no, Decimal(0)), "f"),
                "unit_price": format(ln.unit_price, "f"),
                "amount": format(ln.amount, "f"),
            }
            for no, ln in enumerate(sale.lines, start=1)
        ],
    }


def plan_view(plan: RefundPlan) -> dict[str, Any]:
    return {
        "total": format(plan.total, "f"),
        "tax": format(plan.tax, "f"),
        "tenders": [{"method": m, "amount": format(a, "f")} for m, a in plan.tenders],
        "lines": [
            {"line_no": x.line_no, "qty": format(x.qty, "f"), "amount": format(x.amount, "f")}
            for x in plan.lines
        ],
    }


@router.post("/return/start")
def return_start(body: ReturnStartBody, parts: PartsDep) -> dict[str, Any]:
    return open_view(parts.returns.start(body.secret, body.kind, body.receipt))


@router.post("/return/quote")
def return_quote(body: ReturnBody, parts: PartsDep) -> dict[str, Any]:
    return plan_view(parts.returns.quote(_wanted(body)))


@router.post("/return/confirm")
def return_confirm(body: ReturnBody, parts: PartsDep) -> dict[str, Any]:
    event = parts.returns.confirm(_wanted(body), frozenset(body.damaged), body.reason)
    data: dict[str, Any] = event.model_dump(mode="json")
    return data


@router.post("/return/cancel")
def return_cancel(parts: PartsDep) -> dict[str, str]:
    parts.returns.cancel()
    return {"status": "cancelled"}


@router.post("/invoice")
def invoice(body: InvoiceBody, parts: PartsDep) -> dict[str, str]:
    sale_id = request_invoice(parts.session, body.buyer_name, body.tax_id, body.email)
    return {"sale_id": sale_id, "status": "requested"}
