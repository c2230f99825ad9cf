"""What a shelf node tells the cloud, as ``contracts.messages`` payloads. Pure.

A pick/put below the detection confidence goes out as ``uncertain`` so the cloud asks staff
rather than trusting it; lane state goes out as ``stock`` after every lane event; sensor
faults are ``fault`` rows for the lane (``lane:<id>``) or the load cell source.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.messages import FaultData, ShelfEventData, StockData
from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.health import FaultChange
from shelf_sensors.lanes import LaneSpec

NO_GTIN = "0" * 14
"""Stand-in GTIN for a lane whose product has none yet (``StockData.gtin`` is required)."""

LEARNED_MIN = 5
"""Single units a lane must have learned from before its unit weight leaves the shelf."""

COUNTED = ("pick", "put", "foreign")
"""Lane event types that become a ``shelf_event``; alert transitions only move ``stock``."""


def shelf_event(event: LaneEvent, spec: LaneSpec, confidence: float) -> ShelfEventData | None:
    """The ``shelf_event`` for a pick/put/foreign event, ``None`` for an alert transition."""
    if event.type not in COUNTED:
        return None
    kind = "uncertain" if event.confidence < confidence else event.type
    return ShelfEventData(
        lane=event.lane,
        type=kind,
        qty=event.qty,
        delta_grams=Decimal(f"{event.delta_g:.1f}"),
        count=event.count,
        sku=spec.sku,
        confidence=round(min(1.0, max(0.0, event.confidence)), 4),
    )


def stock(pipe: LanePipeline) -> StockData:
    """The lane's count, weight and alert state as they are now, and once it has learned
    from ``LEARNED_MIN`` single units, its learned unit weight and spread (issue 17: the
    cloud keeps them per product for the kiosks' bagging check)."""
    spec = pipe.spec
    unit = pipe.unit
    learned = unit.learned >= LEARNED_MIN
    return StockData(
        lane=spec.lane,
        sku=spec.sku,
        gtin=spec.gtin or NO_GTIN,
        count=pipe.count or 0,
        grams=Decimal(f"{max(0.0, pipe.grams):.1f}"),
        state=pipe.alerts.state,
        unit_weight_g=Decimal(f"{unit.mu:.2f}") if learned else None,
        unit_spread_g=Decimal(f"{unit.sigma_u:.2f}") if learned else None,
        units_learned=unit.learned,
    )


def fault(code: str, component: str, active: bool, message: str) -> FaultData:
    """A raised fault is an error; its clearing is only information."""
    severity = "error" if active else "info"
    return FaultData(
        code=code, component=component, severity=severity, active=active, message=message
    )


def lane_fault(change: FaultChange) -> FaultData:
    return fault(change.code, f"lane:{change.lane}", change.active, change.message)
