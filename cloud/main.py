"""``create_app(settings)``: the cloud's HTTP API (/api/v1, OpenAPI at /docs, /healthz).

The engine, session factory, clock, password hasher and notifier are built here (or passed
in by tests), never at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from cloud.auth.notifier import Notifier, notifier_from_settings
from cloud.auth.service import make_hasher
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.deps import AppContext, Clock, install_error_handlers, system_clock
from cloud.metrics import install_metrics
from cloud.pricebook.publisher import ChangeNotifier
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
    {"name": "reports", "description": "Aggregates over sales"},
    {"name": "finance", "description": "Profit and loss, Z report settlement, expenses"},
    {"name": "forecast", "description": "Demand forecast, backtest, reorder suggestions"},
    {"name": "deadletters", "description": "Rejected MQTT messages, kept with the reason"},
    {"name": "audit", "description": "Who changed what, and when"},
]


def api_router() -> APIRouter:
    from cloud.alerts.router import router as alerts
    from cloud.audit.router import router as audit
    from cloud.auth.router import router as auth
    from cloud.deadletters.router import router as deadletters
    from cloud.devices.router import router as devices
    from cloud.finance.router import router as finance
    from cloud.forecast.router import router as forecast
    from cloud.inventory.router import router as inventory
    from cloud.member_programme import programme_routers
    from cloud.members.router import router as members
    from cloud.notices.router import router as notices
    from cloud.products.router import categories_router
    from cloud.products.router import router as products
    from cloud.promotions.router import router as promotions
    from cloud.reports.router import router as reports
    from cloud.sales.router import router as sales
    from cloud.stores.router import router as stores
    from cloud.users.router import router as users

    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth,
        users,
        stores,
        devices,
        products,
        categories_router,
        promotions,
        *programme_routers(),  # before members: /members/lookup/… is not a member id
        members,
        inventory,
        sales,
        alerts,
        reports,
        finance,
        forecast,
        notices,
        deadletters,
        audit,
    ):
        api.include_router(router)
    return api


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
        docs_url="/docs",
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
    app.include_router(api_router())
    install_metrics(app, db)  # GET /metrics (cloud/metrics.py)
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
