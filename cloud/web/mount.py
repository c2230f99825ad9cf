"""``mount_console(app)``: the console's routes, static files, error pages and background jobs
(live alert fan-out and escalation), added to an app built by ``cloud.main.create_app``."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import mimetypes
from collections.abc import AsyncIterator
from importlib import metadata, resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cloud.alerts.escalation import EscalationJob
from cloud.alerts.store_hub import StoreHub
from cloud.deps import AppContext
from cloud.tasks.escalation import escalate_tasks
from cloud.web.commands import CommandSender, MqttSender
from cloud.web.console import (
    ConsoleState,
    fmt_duration,
    fmt_qty,
    fmt_time,
    render,
)
from cloud.web.exceptions import (
    CsrfRejectedError,
    ForbiddenPageError,
    LoginRequiredError,
    PageNotFoundError,
)
from cloud.web.formats import local_filter, money_filter, units_filter

log = logging.getLogger(__name__)


mimetypes.add_type("application/manifest+json", ".webmanifest")


def _version() -> str:
    try:
        return metadata.version("smartstore")
    except metadata.PackageNotFoundError:
        return "0.0.0+local"


def make_templates() -> Environment:
    folder = Path(str(resources.files("cloud.web").joinpath("templates")))
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money_filter
    env.filters["units"] = units_filter
    env.filters["local"] = local_filter
    env.filters["when"] = fmt_time
    env.filters["duration"] = fmt_duration
    env.filters["qty"] = fmt_qty
    return env


CONSOLE_PAGES = (
    "auth", "dashboard", "alerts", "products", "promotions", "stocktake", "inventory", "orders",
    "members", "stores", "admin", "notices", "reports", "fleet", "updates", "shelves",
    "app_shell", "invoices", "feedback", "receipt", "tasks", "attendance",
    "purchase_new", "purchasing", "suppliers",  # a new order's page before an order's page
)  # fmt: skip
"""cloud.web.pages modules, in the order their routes are tried."""


def console_router(escalate_every_s: float, max_body_size: int | None = None) -> APIRouter:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        console: ConsoleState = app.state.console
        ctx: AppContext = app.state.ctx
        stop = asyncio.Event()
        poller = asyncio.create_task(console.hub.run(stop))

        def escalated(store_ids: list[int]) -> None:
            for store_id in store_ids:
                console.hub.notify(store_id)

        job = EscalationJob(
            ctx.sessions,
            ctx.settings,
            ctx.notifier,
            ctx.clock,
            interval_s=escalate_every_s,
            on_escalated=escalated,
            extra=(escalate_tasks,),
        )
        job.start()
        try:
            yield
        finally:
            stop.set()
            await asyncio.to_thread(job.stop)
            await poller
            close = getattr(console.commands, "close", None)
            if callable(close):
                close()

    router = APIRouter(lifespan=lifespan, include_in_schema=False, max_body_size=max_body_size)
    for name in CONSOLE_PAGES:
        router.include_router(importlib.import_module(f"cloud.web.pages.{name}").router)
    router.include_router(importlib.import_module("cloud.web.members_marketing").router)
    return router


def mount_console(
    app: FastAPI,
    *,
    commands: CommandSender | None = None,
    media_dir: Path | None = None,
    escalate_every_s: float = 30.0,
    poll_interval_s: float = 1.0,
) -> None:
    """Add the console to ``app`` (after ``app.state.ctx`` is set)."""
    ctx: AppContext = app.state.ctx
    app.state.console = ConsoleState(
        templates=make_templates(),
        hub=StoreHub(ctx.sessions, interval_s=poll_interval_s),
        commands=commands if commands is not None else MqttSender(ctx.settings),
        media_dir=media_dir if media_dir is not None else Path("data/media"),
        version=_version(),
    )
    static = Path(str(resources.files("cloud.web").joinpath("static")))
    app.mount("/console/static", StaticFiles(directory=static), name="console-static")
    app.include_router(console_router(escalate_every_s, ctx.settings.max_upload_bytes))
    _install_handlers(app)

    # Security headers for the console come from cloud/middleware.py, like every other route.


def _install_handlers(app: FastAPI) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        target = "/console/login"
        if isinstance(exc, LoginRequiredError) and exc.next_url:
            from urllib.parse import quote

            target += "?next=" + quote(exc.next_url, safe="/")
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    def page(status_code: int, key: str) -> object:
        async def handler(request: Request, exc: Exception) -> HTMLResponse:
            log.info("console %d on %s: %s", status_code, request.url.path, exc)
            return render(request, "error.html", status_code=status_code, message_key=key)

        return handler

    app.add_exception_handler(LoginRequiredError, login_required)
    app.add_exception_handler(ForbiddenPageError, page(403, "error.forbidden"))  # type: ignore[arg-type]
    app.add_exception_handler(CsrfRejectedError, page(403, "error.csrf"))  # type: ignore[arg-type]
    app.add_exception_handler(PageNotFoundError, page(404, "error.not_found"))  # type: ignore[arg-type]
