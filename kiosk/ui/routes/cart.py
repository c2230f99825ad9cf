"""The cart: scanned or typed codes, manual search, quantities, removal, price override,
cancelling the cart, and the next shopper's fresh start."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from kiosk.domain.transitions import AFTER_SALE
from kiosk.exceptions import CheckoutError
from kiosk.ui.deps import Body, PartsDep, view

router = APIRouter(prefix="/api")


class CodeBody(Body):
    code: str = Field(min_length=1, max_length=200)


class SkuBody(Body):
    sku: str = Field(min_length=1, max_length=64)


class QtyBody(Body):
    line_id: str = Field(max_length=16)
    qty: int = Field(ge=0, le=999)


class LineBody(Body):
    line_id: str = Field(max_length=16)


class OverrideBody(Body):
    line_id: str = Field(max_length=16)
    price: str = Field(max_length=12)


@router.post("/scan")
def scan(body: CodeBody, parts: PartsDep) -> dict[str, Any]:
    parts.scanning.scan(body.code)
    return view(parts)


@router.get("/search")
def search(parts: PartsDep, q: str = "") -> list[dict[str, Any]]:
    return [
        {
            "sku": p.sku,
            "name": p.name,
            "name_zh": p.name_zh,
            "price": format(p.price, "f"),
            "plu": p.plu,
        }
        for p in parts.session.co.catalog.search(q[:50])
    ]


@router.post("/add")
def add(body: SkuBody, parts: PartsDep) -> dict[str, Any]:
    parts.scanning.add_product(body.sku)
    return view(parts)


@router.post("/qty")
def qty(body: QtyBody, parts: PartsDep) -> dict[str, Any]:
    co = parts.session.co
    before = co.cart.line(body.line_id)
    old_qty = before.qty if before is not None else Decimal(0)
    parts.session.act(lambda: co.set_qty(body.line_id, Decimal(body.qty)))
    line = co.cart.line(body.line_id)
    if line is not None and line.qty > old_qty:
        parts.scanning.added(line, line.qty - old_qty)  # the demo shopper bags the extra units
    return view(parts)


@router.post("/remove")
def remove(body: LineBody, parts: PartsDep) -> dict[str, Any]:
    parts.session.act(lambda: parts.session.co.remove_line(body.line_id))
    return view(parts)


@router.post("/override")
def override(body: OverrideBody, parts: PartsDep) -> dict[str, Any]:
    try:
        price = Decimal(body.price)
    except InvalidOperation as exc:
        raise CheckoutError("bad price", "bad_price") from exc
    parts.session.act(lambda: parts.session.co.request_price_override(body.line_id, price))
    return view(parts)


@router.post("/void")
def void(parts: PartsDep) -> dict[str, Any]:
    parts.session.act(parts.session.co.void_cart)
    return view(parts)


@router.post("/finish")
def finish(parts: PartsDep) -> dict[str, Any]:
    parts.session.act(parts.session.co.finish)
    return view(parts)


@router.post("/new")
def new(parts: PartsDep) -> dict[str, Any]:
    session = parts.session

    def start_over() -> None:
        if session.co.phase in AFTER_SALE:
            session.co.new_cart()
        session.screen.suspend_code = None

    session.act(start_over)
    return view(parts)
