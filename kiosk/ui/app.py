"""FastAPI app of the kiosk screen: one page, a WebSocket with the live view, small actions.

Every action answers with the new view, or 409 ``{"code", "message"}`` the page translates.
It talks only to the local node, so it keeps working with the cloud unreachable. The routes
live in :mod:`kiosk.ui.routes`, one router per concern; each gets the kiosk's parts through
the :data:`~kiosk.ui.deps.PartsDep` dependency.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from kiosk.exceptions import KioskError
from kiosk.shell.parts import Parts
from kiosk.ui.routes import attendant, cart, members, payment, pickup, returns, screen

ROUTERS = (
    screen.router,
    cart.router,
    payment.router,
    pickup.router,
    members.router,
    attendant.router,
    returns.router,
)


def create_app(parts: Parts) -> FastAPI:
    app = FastAPI(title="smartstore kiosk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.parts = parts
    static = resources.files("kiosk.ui") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.exception_handler(RequestValidationError)(bad_request)
    app.exception_handler(KioskError)(refused)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's default handler echoes the input and fails on non-UTF-8 bodies (500)
    where = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()][:5]
    return JSONResponse({"code": "bad_request", "message": f"invalid: {where}"}, 422)


async def refused(request: Request, exc: KioskError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=409)
