"""Demand forecasts per product and store, their backtest, and reorder suggestions.

suggested = forecast over the lead time + safety stock − on hand − on order (never below
zero, rounded up to whole units); safety stock = z × σ(one-step error) × √lead time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import NormalDist

import numpy as np
from sqlalchemy.orm import Session

from cloud.forecast import repository
from cloud.forecast.exceptions import ForecastError
from cloud.forecast.model import Backtest, backtest, fit, seasonal_naive
from cloud.forecast.models import OpenOrder
from cloud.reports import service as reports
from cloud.reports.table import Cell, Chart, Report

HISTORY_DAYS = 112  # 16 weeks
MAX_HORIZON = 92


def series(
    session: Session,
    store_id: int,
    last: date,
    days: int = HISTORY_DAYS,
    gtins: list[str] | None = None,
) -> dict[str, list[float]]:
    """GTIN → daily units for the ``days`` days ending ``last`` (zeros where nothing sold)."""
    first = last - timedelta(days=days - 1)
    raw = repository.daily_units(session, store_id, first, last, gtins)
    out: dict[str, list[float]] = {}
    for gtin, per_day in raw.items():
        out[gtin] = [float(per_day.get(first + timedelta(days=i), 0)) for i in range(days)]
    return out


def demand_report(
    session: Session, store_id: int, gtin: str, today: date, horizon: int = 14
) -> Report:
    """Forecast of one product's daily units from tomorrow, with the seasonal-naive line."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise ForecastError(f"horizon must be 1..{MAX_HORIZON} days")
    hist = series(session, store_id, today, gtins=[gtin]).get(gtin, [0.0] * HISTORY_DAYS)
    model = fit(hist)
    pred, naive = model.forecast(horizon), seasonal_naive(hist, horizon)
    q = Decimal("0.01")
    rows: list[list[Cell]] = [
        [
            today + timedelta(days=i + 1),
            Decimal(str(float(pred[i]))).quantize(q),
            Decimal(str(float(naive[i]))).quantize(q),
        ]
        for i in range(horizon)
    ]
    return Report(
        "demand-forecast",
        f"Demand forecast {gtin}",
        ["day", "forecast_units", "seasonal_naive_units"],
        rows,
        chart=Chart("day", "forecast_units", "line"),
    )


def backtest_store(
    session: Session, store_id: int, today: date, horizon: int = 7, origins: int = 6
) -> Backtest:
    """Rolling-origin backtest over every product sold in the store's last 16 weeks."""
    data = [s for s in series(session, store_id, today).values() if sum(s) > 0]
    return backtest(data, horizon=horizon, origins=origins)


@dataclass(frozen=True, slots=True)
class Suggestion:
    sku: str
    gtin: str
    forecast: Decimal
    safety_stock: Decimal
    on_hand: Decimal
    on_order: Decimal
    suggested: Decimal


def suggest(
    forecast_units: float,
    sigma: float,
    lead_days: int,
    service_level: float,
    on_hand: Decimal,
    on_order: Decimal,
) -> tuple[Decimal, Decimal, Decimal]:
    """(forecast over lead time, safety stock, units to order). Pure."""
    z = NormalDist().inv_cdf(service_level)
    q = Decimal("0.01")
    need = Decimal(str(round(forecast_units, 6))).quantize(q, ROUND_HALF_UP)
    safety = Decimal(str(round(max(z, 0.0) * sigma * math.sqrt(lead_days), 6))).quantize(
        q, ROUND_HALF_UP
    )
    order = max(need + safety - on_hand - on_order, Decimal(0))
    return need, safety, order.quantize(Decimal(1), ROUND_CEILING)


def reorder_report(
    session: Session,
    store_id: int,
    today: date,
    lead_days: int = 3,
    service_level: float = 0.95,
) -> Report:
    """One row per product sold in the last 16 weeks; those to order first."""
    if not 1 <= lead_days <= MAX_HORIZON:
        raise ForecastError(f"lead time must be 1..{MAX_HORIZON} days")
    if not 0.5 <= service_level < 1:
        raise ForecastError("service level must be in [0.5, 1)")
    hist = series(session, store_id, today)
    cat = reports.catalog(session, hist)
    stock, ordered = repository.on_hand(session, store_id), repository.on_order(session, store_id)
    rows: list[list[Cell]] = []
    for gtin, ys in sorted(hist.items()):
        item = cat.get(gtin)
        model = fit(ys)
        pid = item.product_id if item else -1
        have, coming = stock.get(pid, Decimal(0)), ordered.get(pid, Decimal(0))
        need, safety, order = suggest(
            float(np.sum(model.forecast(lead_days))),
            model.sigma,
            lead_days,
            service_level,
            have,
            coming,
        )
        rows.append(
            [
                item.sku if item else "",
                gtin,
                item.name if item else "",
                need,
                safety,
                have,
                coming,
                order,
            ]
        )
    rows.sort(key=lambda r: (-r[7], str(r[0])))  # type: ignore[operator]
    return Report(
        "reorder",
        "Reorder suggestions",
        [
            "sku",
            "gtin",
            "name",
            "forecast_lead_time",
            "safety_stock",
            "on_hand",
            "on_order",
            "suggested_order",
        ],
        rows,
        chart=Chart("sku", "suggested_order"),
        params={"lead_days": str(lead_days), "service_level": str(service_level)},
    )


def add_open_order(
    session: Session,
    *,
    store_id: int,
    product_id: int,
    qty: Decimal,
    now: datetime,
    expected_on: date | None = None,
    reference: str = "",
) -> OpenOrder:
    if qty <= 0:
        raise ForecastError("qty must be positive")
    row = OpenOrder(
        store_id=store_id,
        product_id=product_id,
        qty=qty,
        ordered_at=now,
        expected_on=expected_on,
        reference=reference,
    )
    session.add(row)
    session.flush()
    return row


def set_on_order(
    session: Session,
    *,
    store_id: int,
    product_id: int,
    reference: str,
    qty: Decimal,
    now: datetime,
    expected_on: date | None = None,
) -> None:
    """Keep one open order per ``reference`` at ``qty`` (a purchase order line's open
    quantity); zero or less marks it received, so it no longer counts as on order."""
    row = repository.open_order_by_reference(session, store_id, product_id, reference)
    if qty <= 0:
        if row is not None:
            row.received_at = now
            session.flush()
        return
    if row is None:
        add_open_order(
            session,
            store_id=store_id,
            product_id=product_id,
            qty=qty,
            now=now,
            expected_on=expected_on,
            reference=reference,
        )
        return
    row.qty, row.expected_on = qty, expected_on
    session.flush()


def on_order(session: Session, store_id: int) -> dict[int, Decimal]:
    """Units on order per product (open orders not yet received)."""
    return repository.on_order(session, store_id)
