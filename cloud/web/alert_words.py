"""What an alert says, in the reader's language: built from the alert's type and details
(product name, lane, count, fault code) through the catalogs, never from the English
``message`` a service or device wrote (that stays available as the raw detail)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cloud.alerts.models import Alert
from cloud.inventory import shelf_map
from cloud.web.i18n import Translator

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STOCK = ("out_of_stock", "low_stock")


def product_names(session: Session, alerts: Iterable[Alert], t: Translator) -> dict[str, str]:
    """SKU → product name, in the reader's language, for the stock alerts in the list."""
    skus = {_sku(a) for a in alerts if a.type in (*STOCK, "negative_stock")}
    found = {s for s in skus if s}
    return shelf_map.product_names(session, found, chinese=t.lang == "zh-Hans")


def _sku(alert: Alert) -> str:
    """The alert's SKU: in the details of a lane alert, in ``stock/<sku>`` of a ledger one."""
    if alert.type == "negative_stock":
        return alert.source.partition("/")[2]
    return str((alert.details or {}).get("sku", ""))


def _product(alert: Alert, t: Translator, names: dict[str, str]) -> str:
    """The product's name in the reader's language: the names the lane alert carries
    (``product``/``product_zh``), else the catalog name by SKU, else the SKU."""
    details = alert.details or {}
    if t.lang == "zh-Hans" and details.get("product_zh"):
        return str(details["product_zh"])
    if details.get("product"):
        return str(details["product"])
    sku = _sku(alert)
    return names.get(sku, sku)


def alert_text(alert: Alert, t: Translator, names: dict[str, str]) -> str:
    details = alert.details or {}
    node, _, part = alert.source.partition("/")
    if alert.type in STOCK:
        return t(
            "alert.text.stock",
            product=_product(alert, t, names),
            node=node,
            lane=part or "—",
            count=details.get("count", "—"),
        )
    if alert.type == "device_fault":
        component = str(details.get("component") or part or node)
        return t(
            "alert.text.fault",
            node=node,
            component=t.word("component", component),
            code=details.get("code", "—"),
        )
    if alert.type == "kiosk_intervention":
        return t(
            "alert.text.intervention",
            node=node,
            kind=t.word("intervention", details.get("kind", "")),
        )
    if alert.type == "negative_stock":
        return t(
            "alert.text.negative",
            product=_product(alert, t, names),
            level=details.get("on_hand", "—"),
        )
    return t("alert.text.other", node=alert.source)
