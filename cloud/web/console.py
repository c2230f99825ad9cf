"""What every console page needs: the signed-in viewer, the CSRF check, the language and
``render``. Pages are plain FastAPI handlers taking :data:`ViewerDep`.

CSRF: the token is an HMAC of the session cookie (cloud.auth.csrf); forms carry it in a
hidden ``csrf_token`` field, htmx requests in the ``X-CSRF-Token`` header (console.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment
from starlette.datastructures import FormData

from cloud.alerts.live import AlertHub
from cloud.auth.csrf import csrf_token, verify_csrf
from cloud.auth.exceptions import AuthenticationError
from cloud.auth.models import Role
from cloud.auth.service import Principal, principal_for_token
from cloud.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, CtxDep, NowDep, SessionDep
from cloud.stores import service as store_service
from cloud.stores.localtime import UTC_ZONE
from cloud.stores.models import Store
from cloud.web.commands import CommandSender
from cloud.web.exceptions import (
    CsrfRejectedError,
    ForbiddenPageError,
    LoginRequiredError,
    PageNotFoundError,
)
from cloud.web.formats import when_filter
from cloud.web.i18n import LANG_COOKIE, Translator, pick_language

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_FORM_FIELDS = 400


@dataclass
class ConsoleState:
    """Built by ``mount_console``; one per app."""

    templates: Environment
    hub: AlertHub
    commands: CommandSender
    media_dir: Path
    version: str


def get_console(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


ConsoleDep = Annotated[ConsoleState, Depends(get_console)]


async def read_form(request: Request) -> FormData:
    """The parsed form of an unsafe request (cached by Starlette), empty for GET."""
    if request.method in SAFE_METHODS:
        return FormData()
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return FormData()
    return await request.form(max_files=4, max_fields=MAX_FORM_FIELDS)


FormDep = Annotated[FormData, Depends(read_form)]


def language(request: Request) -> str:
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


@dataclass
class Viewer:
    """The signed-in user of a console request."""

    principal: Principal
    csrf: str
    lang: str
    tz: ZoneInfo = UTC_ZONE
    """The zone times are shown in: the viewer's stores' (UTC when they differ)."""
    t: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.t = Translator(self.lang)

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    @property
    def is_head_office(self) -> bool:
        return self.principal.is_head_office

    def require(self, *roles: Role) -> None:
        """Admins and the given roles; others get a 403 page."""
        if not self.is_admin and self.role not in roles:
            raise ForbiddenPageError(f"role {self.role.value} may not open this page")

    def store(self, session: Session, code: str) -> Store:
        """The store if it exists and is in the viewer's scope (404 / 403 otherwise)."""
        if "\x00" in code:
            raise PageNotFoundError("no such store")
        row = store_service.find_store(session, code[:32])
        if row is None:
            raise PageNotFoundError(f"store {code!r} not found")
        if not self.principal.can_access_store(row.id):
            raise ForbiddenPageError(f"no access to store {code!r}")
        return row

    def catalogue_store(self, session: Session, code: str) -> Store:
        """Like :meth:`store`, but head office may open every store's prices and promotions."""
        if not self.is_head_office or "\x00" in code:
            return self.store(session, code)
        row = store_service.find_store(session, code[:32])
        if row is None:
            raise PageNotFoundError(f"store {code!r} not found")
        return row

    def stores(self, session: Session) -> list[Store]:
        return store_service.among(session, None if self.is_admin else self.principal.store_ids)

    def home_store(self, session: Session) -> Store | None:
        stores = self.stores(session)
        return stores[0] if stores else None

    def to_home_store(self, session: Session, page: str) -> RedirectResponse:
        """A nav entry not tied to a store: ``page`` of the viewer's first store."""
        store = self.home_store(session)
        if store is None:
            raise PageNotFoundError("no store")
        return RedirectResponse(f"/console/s/{store.code}/{page}", status_code=303)


def get_viewer(
    request: Request, session: SessionDep, ctx: CtxDep, now: NowDep, form: FormDep
) -> Viewer:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequiredError(_next_url(request))
    try:
        principal = principal_for_token(session, cookie, now=now, via_cookie=True)
    except AuthenticationError as exc:
        raise LoginRequiredError(_next_url(request)) from exc
    secret = ctx.settings.secret_key.get_secret_value()
    if request.method not in SAFE_METHODS:
        candidate = request.headers.get(CSRF_HEADER) or str(form.get("csrf_token") or "")
        if not verify_csrf(secret, cookie, candidate):
            raise CsrfRejectedError("missing or invalid CSRF token")
    return Viewer(
        principal=principal,
        csrf=csrf_token(secret, cookie),
        lang=language(request),
        tz=viewer_zone(session, principal),
    )


def viewer_zone(session: Session, principal: Principal) -> ZoneInfo:
    """The zone the viewer's stores share (all stores for an admin)."""
    ids = None if principal.is_admin else principal.store_ids
    return store_service.common_zone_of(session, ids)


def _next_url(request: Request) -> str:
    if request.method != "GET":
        return ""
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def render(
    request: Request,
    name: str,
    *,
    viewer: Viewer | None = None,
    lang: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    console = get_console(request)
    lang = viewer.lang if viewer is not None else (lang or language(request))
    template = console.templates.get_template(name)
    html = template.render(
        request=request,
        viewer=viewer,
        user=viewer.principal if viewer else None,
        csrf=viewer.csrf if viewer else context.pop("csrf", ""),
        t=Translator(lang),
        lang=lang,
        version=console.version,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


# Form helpers ------------------------------------------------------------------------------


class FieldErrors(dict[str, str]):
    """field name → message, shown next to the field."""


def text(form: FormData, name: str, max_len: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:max_len] if isinstance(value, str) else ""


def decimal_field(
    form: FormData,
    name: str,
    errors: FieldErrors,
    t: Translator,
    *,
    required: bool = True,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal = Decimal("9999999999"),
    places: int = 2,
) -> Decimal | None:
    raw = text(form, name, 40)
    if not raw:
        if required:
            errors[name] = t("err.required")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = t("err.number")
        return None
    if not value.is_finite() or (minimum is not None and value < minimum) or value > maximum:
        errors[name] = t("err.range")
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors[name] = t("err.places", n=places)
        return None
    return value


def int_field(
    form: FormData,
    name: str,
    errors: FieldErrors,
    t: Translator,
    *,
    required: bool = True,
    minimum: int = 0,
    maximum: int = 10**9,
) -> int | None:
    raw = text(form, name, 20)
    if not raw:
        if required:
            errors[name] = t("err.required")
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = t("err.integer")
        return None
    if not minimum <= value <= maximum:
        errors[name] = t("err.range")
        return None
    return value


# Display helpers (Jinja filters) -----------------------------------------------------------


def fmt_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def fmt_qty(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 12, 0.5, -3.25 (kilograms keep their grams)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


fmt_time = when_filter  # ``|when``: see cloud.web.formats.page_zone (one time filter)


def fmt_duration(value: timedelta | float | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 0:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def query_ids(values: Iterable[int]) -> list[int]:
    return sorted(set(values))
