"""``create_app(settings)``: the cloud's HTTP API (/api/v1, OpenAPI at /docs, /healthz).

The engine, session factory, clock, password hasher and notifier are built here (or passed
in by tests), never at import time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from starlette.routing import compile_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from cloud.apidocs import install_docs
from cloud.auth.notifier import Notifier, notifier_from_settings
from cloud.auth.service import make_hasher
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.deps import AppContext, Clock, install_error_handlers, system_clock
from cloud.metrics import install_metrics
from cloud.middleware import SecurityMiddleware
from cloud.products.changes import ChangeNotifier
from cloud.responses import document_errors
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

TAGS = [
    {"name": "auth", "description": "Login (OAuth2 password flow or console cookie), logout"},
    {"name": "users", "description": "Users and their roles per store (admin)"},
    {"name": "stores", "description": "Stores and their devices"},
    {"name": "products", "description": "Catalog: products, barcodes, prices, categories"},
    {"name": "promotions", "description": "Time-windowed promotions (contracts.pricebook rules)"},
    {"name": "members", "description": "Members and their points ledger"},
    {"name": "inventory", "description": "Stock ledger: receiving, adjustment, stocktake"},
    {"name": "sales", "description": "Recorded sales from the kiosks"},
    {"name": "alerts", "description": "Out-of-stock, device and kiosk alerts"},
    {"name": "attendance", "description": "Staff clock-in and clock-out, rota and timesheets"},
    {"name": "tasks", "description": "Staff tasks: restock, stocktake, pick, device checks"},
    {"name": "feedback", "description": "Shoppers' feedback, handled in the console"},
    {"name": "reports", "description": "Aggregates over sales"},
    {"name": "finance", "description": "Profit and loss, Z report settlement, expenses"},
    {"name": "forecast", "description": "Demand forecast, backtest, reorder suggestions"},
    {"name": "deadletters", "description": "Rejected MQTT messages, kept with the reason"},
    {"name": "audit", "description": "Who changed what, and when"},
    {"name": "updates", "description": "Node software releases and staged rollouts"},
]


def api_router(max_body_size: int | None = None) -> APIRouter:
    from cloud.api.alerts import router as alerts
    from cloud.api.attendance import router as attendance
    from cloud.api.audit import router as audit
    from cloud.api.auth import router as auth
    from cloud.api.deadletters import router as deadletters
    from cloud.api.devices import router as devices
    from cloud.api.feedback import router as feedback
    from cloud.api.finance import router as finance
    from cloud.api.forecast import router as forecast
    from cloud.api.inventory import router as inventory
    from cloud.api.members import router as members
    from cloud.api.notices import router as notices
    from cloud.api.orders import router as orders
    from cloud.api.products import categories_router
    from cloud.api.products import router as products
    from cloud.api.promotions import router as promotions
    from cloud.api.purchasing import router as purchase_orders
    from cloud.api.reports import router as reports
    from cloud.api.routers import programme_routers
    from cloud.api.sales import router as sales
    from cloud.api.store_prices import router as store_prices
    from cloud.api.stores import router as stores
    from cloud.api.suppliers import router as suppliers
    from cloud.api.tasks import router as tasks
    from cloud.api.updates import router as updates
    from cloud.api.users import router as users

    # Per router, not per app: FastAPI then answers 413 from inside the app, as JSON with
    # the security headers; the console's router allows larger bodies (uploads).
    api = APIRouter(prefix=API_PREFIX, max_body_size=max_body_size)
    for router in (
        auth,
        users,
        stores,
        devices,
        store_prices,
        products,
        categories_router,
        promotions,
        *programme_routers(),  # before members: /members/lookup/… is not a member id
        members,
        inventory,
        orders,
        suppliers,
        purchase_orders,
        sales,
        alerts,
        attendance,
        tasks,
        feedback,
        reports,
        finance,
        forecast,
        notices,
        deadletters,
        audit,
        updates,
    ):
        document_errors(router)  # the statuses each operation can answer with
        api.include_router(router)
    return api


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 whose ``Allow`` lists every method the OpenAPI document gives the path, not only
    those of the one route that matched it (FastAPI keeps one route per method)."""
    allow = _documented_methods(request.app, request.url.path)
    if allow is None:  # a console page: Starlette's own answer
        headers = getattr(exc, "headers", None) or {}
        allow = headers.get("Allow", "")
    return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow})


def _documented_methods(app: FastAPI, path: str) -> str | None:
    table: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        for template, operations in app.openapi()["paths"].items():
            methods = {m.upper() for m in operations}
            if "GET" in methods:
                methods.add("HEAD")
            table.append((compile_path(template)[0], ", ".join(sorted(methods))))
        app.state.allow_table = table
    return next((allow for regex, allow in table if regex.match(path)), None)


def create_app(
    settings: CloudSettings,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    notifier: Notifier | None = None,
    publisher: ChangeNotifier | None = None,
) -> FastAPI:
    """Build the app; tests inject a fake clock, a cheap hasher and their own engine."""
    load_models()
    own_engine = engine is None
    db = engine if engine is not None else make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if own_engine:
            db.dispose()

    app = FastAPI(
        title="smartstore cloud API",
        version="1",
        description="Products, members, promotions, inventory, sales and alerts of the chain. "
        "Money is a decimal string, times are RFC 3339 UTC. Authenticate with "
        "`POST /api/v1/auth/token` (OAuth2 password form) and send `Authorization: Bearer …`.",
        docs_url=None,  # served by cloud/apidocs.py from the package, not a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/openapi.json",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.engine = db
    app.state.ctx = AppContext(
        settings=settings,
        sessions=make_sessionmaker(db),
        clock=clock or system_clock,
        hasher=hasher or make_hasher(),
        notifier=notifier or notifier_from_settings(settings),
        publisher=publisher,
    )
    install_error_handlers(app)
    app.add_exception_handler(405, method_not_allowed)
    app.include_router(api_router(settings.max_body_bytes))
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    install_metrics(app, db, token)  # GET /metrics with the metrics token (cloud/metrics.py)
    install_docs(app)
    # Added last = runs first: the proxy's client address and scheme are known to the guard.
    app.add_middleware(SecurityMiddleware, settings=settings)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    from cloud.web.mount import mount_console

    mount_console(app)  # the console's pages, static files and alert jobs (cloud/web)

    @app.get("/healthz", tags=["health"], summary="Liveness and database reachability")
    def healthz() -> JSONResponse:
        try:
            with db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not healthy", never a 500
            log.warning("health check failed: %s", exc)
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
