"""FastAPI app of the kiosk screen: one page, a WebSocket with the live view, small actions.

Every action answers with the new view, or 409 ``{"code", "message"}`` the page translates.
It talks only to the local node, so it keeps working with the cloud unreachable.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Literal

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from kiosk.controller import KioskController
from kiosk.exceptions import CheckoutError, KioskError
from kiosk.paying import PaymentRunner
from kiosk.payment.base import PaymentTerminal
from kiosk.payment.cash import CashAcceptor, FakeCashAcceptor
from kiosk.payment.simulator import TerminalSimulator
from kiosk.ui.after_sale import install_after_sale

log = logging.getLogger(__name__)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeBody(_Body):
    code: str = Field(min_length=1, max_length=200)


class SkuBody(_Body):
    sku: str = Field(min_length=1, max_length=64)


class QtyBody(_Body):
    line_id: str = Field(max_length=16)
    qty: int = Field(ge=0, le=999)


class LineBody(_Body):
    line_id: str = Field(max_length=16)


class PayBody(_Body):
    method: Literal["card", "qr", "cash"]


class CashBody(_Body):
    value: str = Field(max_length=12)


class ClearBody(_Body):
    secret: str = Field(min_length=1, max_length=64)
    kind: Literal["pin", "badge"] = "pin"
    intervention_id: str | None = None
    approve: bool = True


class MemberBody(_Body):
    kind: Literal["phone", "card"]
    value: str = Field(min_length=1, max_length=40)


class PointsBody(_Body):
    points: int = Field(ge=0, le=1_000_000)


class OverrideBody(_Body):
    line_id: str = Field(max_length=16)
    price: str = Field(max_length=12)


class LanguageBody(_Body):
    language: Literal["en", "zh-Hans"]


def create_app(
    ctl: KioskController,
    payments: PaymentRunner,
    cash: CashAcceptor | None = None,
    terminal: PaymentTerminal | None = None,
) -> FastAPI:
    app = FastAPI(title="smartstore kiosk", docs_url=None, redoc_url=None, openapi_url=None)
    static = resources.files("kiosk.ui") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default handler echoes the input and fails on non-UTF-8 bodies (500)
        where = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()][:5]
        return JSONResponse({"code": "bad_request", "message": f"invalid: {where}"}, 422)

    @app.exception_handler(KioskError)
    async def kiosk_error(request: Request, exc: KioskError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=409)

    def view() -> dict[str, Any]:
        return ctl.view()

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return (static / "index.html").read_text(encoding="utf-8")

    @app.get("/api/qr.svg")
    def qr_svg(data: str = "") -> Response:
        """The merchant QR drawn locally (segno), so no network is needed to show it."""
        import io

        import segno

        buf = io.BytesIO()
        segno.make(data[:500] or "-", error="m").save(buf, kind="svg", scale=6, border=2)
        return Response(buf.getvalue(), media_type="image/svg+xml")

    @app.get("/api/state")
    def state() -> dict[str, Any]:
        return view()

    @app.post("/api/scan")
    def scan(body: CodeBody) -> dict[str, Any]:
        ctl.scan(body.code)
        return view()

    @app.get("/api/search")
    def search(q: str = "") -> list[dict[str, Any]]:
        return [
            {
                "sku": p.sku,
                "name": p.name,
                "name_zh": p.name_zh,
                "price": format(p.price, "f"),
                "plu": p.plu,
            }
            for p in ctl.co.catalog.search(q[:50])
        ]

    @app.post("/api/add")
    def add(body: SkuBody) -> dict[str, Any]:
        product = ctl.co.catalog.by_sku(body.sku)
        if product is None:
            raise CheckoutError("unknown item", "unknown_item")
        ctl.scan(product.gtins[0] if product.gtins else product.sku)
        return view()

    @app.post("/api/qty")
    def qty(body: QtyBody) -> dict[str, Any]:
        before = ctl.co.cart.line(body.line_id)
        old_qty = before.qty if before is not None else Decimal(0)
        ctl.act(lambda: ctl.co.set_qty(body.line_id, Decimal(body.qty)))
        line = ctl.co.cart.line(body.line_id)
        if line is not None and line.qty > old_qty and ctl.after_add is not None:
            ctl.after_add(line, line.qty - old_qty)  # the demo shopper bags the extra units
        return view()

    @app.post("/api/remove")
    def remove(body: LineBody) -> dict[str, Any]:
        ctl.act(lambda: ctl.co.remove_line(body.line_id))
        return view()

    @app.post("/api/pay")
    def pay(body: PayBody) -> dict[str, Any]:
        if ctl.co.phase == "scanning":
            ctl.act(ctl.co.start_payment)
        with ctl.lock:
            ctl.complete_if_paid()  # fully paid by points
        if body.method == "card":
            payments.pay_card()
        elif body.method == "qr":
            payments.pay_qr()
        ctl.notify()
        return view()

    @app.post("/api/back")
    def back() -> dict[str, Any]:
        payments.cancel_qr()
        ctl.act(ctl.co.cancel_payment)
        return view()

    @app.post("/api/cash")
    def insert_cash(body: CashBody) -> dict[str, Any]:
        """The simulated note slot of the fake acceptor (demo and tests only)."""
        if not isinstance(cash, FakeCashAcceptor):
            raise CheckoutError("no simulated cash slot", "no_cash")
        try:
            value = Decimal(body.value)
        except InvalidOperation as exc:
            raise CheckoutError("bad denomination", "bad_denomination") from exc
        cash.insert(value)
        return view()

    @app.post("/api/qr/paid")
    def qr_paid() -> dict[str, Any]:
        """Simulator only: the shopper paid the QR in their wallet."""
        attempt = ctl.co.ledger.open_attempt()
        if not isinstance(terminal, TerminalSimulator) or attempt is None:
            raise CheckoutError("no QR payment waiting", "not_allowed")
        terminal.shopper_scans_qr(attempt.reference)
        return view()

    @app.post("/api/clear")
    def clear(body: ClearBody) -> dict[str, Any]:
        ctl.clear_with_secret(body.secret, body.kind, body.intervention_id, body.approve)
        return view()

    @app.post("/api/suspend")
    def suspend() -> dict[str, Any]:
        ctl.suspend()
        return view()

    @app.post("/api/resume")
    def resume(body: CodeBody) -> dict[str, Any]:
        ctl.resume(body.code)
        return view()

    @app.post("/api/member")
    def member(body: MemberBody) -> dict[str, Any]:
        if ctl.members is not None:  # attach, then the online balance (short timeout)
            ctl.members.identify(body.kind, body.value)
        else:
            ctl.act(lambda: ctl.co.attach_member(body.kind, body.value))
        return view()

    @app.post("/api/coupon")
    def coupon(body: CodeBody) -> dict[str, Any]:
        if ctl.members is not None:
            ctl.members.apply_coupon(body.code)
        else:
            ctl.act(lambda: ctl.co.add_coupon(body.code))
        return view()

    @app.post("/api/points")
    def points(body: PointsBody) -> dict[str, Any]:
        ctl.act(lambda: ctl.co.redeem_points(body.points))
        return view()

    install_after_sale(app, ctl)

    @app.post("/api/override")
    def override(body: OverrideBody) -> dict[str, Any]:
        try:
            price = Decimal(body.price)
        except InvalidOperation as exc:
            raise CheckoutError("bad price", "bad_price") from exc
        ctl.act(lambda: ctl.co.request_price_override(body.line_id, price))
        return view()

    @app.post("/api/void")
    def void() -> dict[str, Any]:
        ctl.act(ctl.co.void_cart)
        return view()

    @app.post("/api/finish")
    def finish() -> dict[str, Any]:
        ctl.act(ctl.co.finish)
        return view()

    @app.post("/api/new")
    def new() -> dict[str, Any]:
        def start_over() -> None:
            if ctl.co.phase in ("receipt", "done"):
                ctl.co.new_cart()
            ctl.suspend_code = None

        ctl.act(start_over)
        return view()

    @app.post("/api/reprint")
    def reprint() -> dict[str, Any]:
        ctl.reprint()
        return view()

    @app.post("/api/language")
    def language(body: LanguageBody) -> dict[str, Any]:
        ctl.language = body.language
        ctl.notify()
        return view()

    @app.websocket("/ws")
    async def live(ws: WebSocket) -> None:
        await ws.accept()
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def wake() -> None:
            loop.call_soon_threadsafe(changed.set)

        ctl.subscribe(wake)
        try:
            await ws.send_json(await asyncio.to_thread(view))
            while True:
                await changed.wait()
                changed.clear()
                await ws.send_json(await asyncio.to_thread(view))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            ctl.unsubscribe(wake)

    return app
