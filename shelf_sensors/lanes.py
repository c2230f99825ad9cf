"""The planogram: which SKU sits on which lane, its unit weight, capacity and low-stock level.

Unit weights not given on a lane come from the price book (``Product.unit_weight_g``); the
cloud replaces the whole map with a ``planogram`` command or a new retained price book.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from contracts.pricebook import PriceBook
from shelf_sensors.exceptions import LaneConfigError

log = logging.getLogger(__name__)

LaneId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]


class LaneSpec(BaseModel):
    """One lane of the shelf as configured; ``unit_weight_g`` may be filled from the price book."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lane: LaneId = Field(description="Lane id, unique on the node, e.g. a1")
    sku: str = Field(min_length=1, max_length=64, description="SKU stocked on the lane")
    gtin: str | None = Field(
        default=None, pattern=r"^\d{14}$", description="GTIN-14; from the price book if absent"
    )
    unit_weight_g: float | None = Field(
        default=None, gt=0, le=50_000, description="Grams per unit; from the price book if absent"
    )
    unit_spread_g: float | None = Field(
        default=None, gt=0, description="Std dev of unit weight; 2 % of the unit weight if absent"
    )
    capacity: int = Field(default=20, ge=1, le=10_000, description="Units the lane holds")
    low_stock_at: int = Field(
        default=2, ge=0, description="Low-stock alert when the count falls to this or below"
    )

    @property
    def mu(self) -> float:
        if self.unit_weight_g is None:
            raise LaneConfigError(f"lane {self.lane}: no unit weight (not in the price book)")
        return self.unit_weight_g


class _LaneEntry(BaseModel):
    """A LANES.yaml entry: the lane id is the mapping key."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64, description="SKU stocked on the lane")
    unit_weight_g: float = Field(gt=0, le=50_000, description="Grams per unit")
    capacity: int = Field(default=20, ge=1, le=10_000, description="Units the lane holds")
    low_stock_at: int = Field(default=2, ge=0, description="Low-stock level (count ≤ this)")
    gtin: str | None = Field(default=None, pattern=r"^\d{14}$", description="GTIN-14")
    unit_spread_g: float | None = Field(default=None, gt=0, description="Unit weight std dev")


def parse_lanes_mapping(data: Any, source: str = "lanes") -> dict[str, LaneSpec]:
    """``{lane_id: {sku, unit_weight_g, capacity, low_stock_at}}`` → lane specs."""
    if not isinstance(data, Mapping) or not data:
        raise LaneConfigError(f"{source}: expected a non-empty mapping of lane id → lane")
    out: dict[str, LaneSpec] = {}
    for key, value in data.items():
        try:
            entry = _LaneEntry.model_validate(value)
            out[str(key)] = LaneSpec(lane=str(key), **entry.model_dump())
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
            raise LaneConfigError(f"{source}: lane {key}: {loc}: {err['msg']}") from exc
    return out


def load_lanes_file(path: Path) -> dict[str, LaneSpec]:
    """Read LANES.yaml (the replay command's lane map)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LaneConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise LaneConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_lanes_mapping(data, str(path))


def resolve(
    lanes: Iterable[LaneSpec], book: PriceBook | None, *, strict: bool = True
) -> dict[str, LaneSpec]:
    """Fill unit weight and GTIN from the price book. A lane with no weight anywhere is an
    error, or (``strict=False``, the live node waiting for its price book) left out."""
    products = {p.sku: p for p in book.products} if book is not None else {}
    out: dict[str, LaneSpec] = {}
    for spec in lanes:
        if spec.lane in out:
            raise LaneConfigError(f"lane {spec.lane} appears twice")
        product = products.get(spec.sku)
        update: dict[str, Any] = {}
        if spec.unit_weight_g is None and product is not None and product.unit_weight_g:
            update["unit_weight_g"] = float(product.unit_weight_g)
        if spec.gtin is None and product is not None and product.gtins:
            update["gtin"] = product.gtins[0]
        resolved = spec.model_copy(update=update) if update else spec
        if resolved.unit_weight_g is None:
            if not strict:
                log.warning("lane %s waits for a unit weight for %s", spec.lane, spec.sku)
                continue
            raise LaneConfigError(
                f"lane {spec.lane}: sku {spec.sku} has no unit weight (lane or price book)"
            )
        out[spec.lane] = resolved
    return out


def parse_planogram_args(args: Mapping[str, Any]) -> list[LaneSpec]:
    """The ``planogram`` command's ``{"lanes": [{lane, sku, …}, …]}``."""
    raw = args.get("lanes")
    if not isinstance(raw, list) or not raw:
        raise LaneConfigError("planogram: 'lanes' must be a non-empty list")
    out: list[LaneSpec] = []
    for i, item in enumerate(raw):
        try:
            out.append(LaneSpec.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise LaneConfigError(f"planogram: lanes[{i}].{loc}: {err['msg']}") from exc
    return out
