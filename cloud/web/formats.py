"""Numbers as people read them: money with its currency sign, quantities with their unit,
times in the store's timezone. Jinja filters; the store and translator come from the page."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context

from cloud.stores.localtime import UTC_ZONE, show, zone

SYMBOLS = {"CNY": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$"}
DEFAULT_CURRENCY = "CNY"


def money(value: Decimal | int | float | None, currency: str = DEFAULT_CURRENCY) -> str:
    """``¥1,234.50``, ``-¥3.00``; an unknown currency is written as its code: ``CHF 12.00``."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    body = f"{abs(amount):,.2f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{currency} {body}"


def _store_currency(ctx: Context) -> str:
    store = ctx.get("store")
    return str(getattr(store, "currency", None) or DEFAULT_CURRENCY)


@pass_context
def money_filter(ctx: Context, value: Any, currency: str | None = None) -> str:
    """``{{ x|money }}``: in the page's store currency (``store`` in the context), else CNY."""
    return money(value, currency or _store_currency(ctx))


def plain_qty(value: Decimal | int | float | None) -> str:
    if value is None:
        return ""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@pass_context
def units_filter(ctx: Context, value: Any, unit: str = "pcs") -> str:
    """``{{ n|units }}`` → "12 pcs" / "12 件"; ``{{ g|units("g") }}`` → "800 g"."""
    if value is None:
        return "—"
    return str(ctx["t"](f"unit.{unit}", n=plain_qty(value)))


def store_zone(store: object) -> ZoneInfo:
    return zone(str(getattr(store, "timezone", "") or "") or None)


def page_zone(ctx: Context) -> ZoneInfo:
    """The zone a page shows times in: the page's own ``tz`` if it sets one, else its
    ``store``'s, else the zone the viewer's stores share (``Viewer.tz``), else UTC."""
    tz = ctx.get("tz")
    if isinstance(tz, ZoneInfo):
        return tz
    store = ctx.get("store")
    if store is not None and getattr(store, "timezone", None):
        return store_zone(store)
    viewer_tz = getattr(ctx.get("viewer"), "tz", None)
    return viewer_tz if isinstance(viewer_tz, ZoneInfo) else UTC_ZONE


@pass_context
def when_filter(ctx: Context, value: datetime | None, fmt: str | None = None) -> str:
    """``{{ at|when }}`` → "2026-03-01 09:30:00 CST" (with the zone's abbreviation);
    ``{{ at|when("%H:%M") }}`` → just that format; both in :func:`page_zone`."""
    if value is None:
        return "" if fmt is None else "—"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC_ZONE)
    tz = page_zone(ctx)
    return show(aware, tz) if fmt is None else aware.astimezone(tz).strftime(fmt)


@pass_context
def local_filter(ctx: Context, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``{{ at|local }}``: the same time as ``|when``, in a shorter format by default."""
    return str(when_filter(ctx, value, fmt))
