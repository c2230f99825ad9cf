"""Scenario files (simulators/scenarios/*.yaml): shopper profile, shelf, staff and faults.

Validated by pydantic with ``extra="forbid"`` so a typo in a fault never passes silently.
Times of day are ``"HH:MM"`` on the simulated clock; durations are ``"5m"``, ``"1h30m"``,
``"45s"`` or a number of seconds, always in *simulated* time.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from simulators.exceptions import ScenarioError

_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_DURATION_S = 366 * 86_400.0


def parse_duration(value: Any) -> float:
    """``"1h30m"`` → 5400.0; numbers are seconds. Raises ValueError on anything else."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like 5m, 1h30m, 45s")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        match = _DURATION_RE.match(text)
        if not text or match is None or not any(match.groups()):
            raise ValueError(f"not a duration: {value!r} (use e.g. 5m, 1h30m, 45s)")
        h, m, s = (float(g) if g else 0.0 for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    else:
        raise ValueError(f"not a duration: {value!r}")
    if not 0 <= seconds <= MAX_DURATION_S:
        raise ValueError(f"duration out of range: {value!r}")
    return seconds


def parse_time_of_day(value: Any) -> float:
    """``"13:30"`` → seconds after midnight (48600.0)."""
    if not isinstance(value, str) or (match := _TIME_RE.match(value.strip())) is None:
        raise ValueError(f"not a time of day: {value!r} (use HH:MM)")
    return int(match.group(1)) * 3600.0 + int(match.group(2)) * 60.0


Duration = Annotated[float, BeforeValidator(parse_duration)]
TimeOfDay = Annotated[float, BeforeValidator(parse_time_of_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShopperProfile(_Strict):
    per_hour: dict[int, float] = Field(
        default_factory=lambda: {h: 12.0 for h in range(8, 22)},
        description="Shopper arrivals per simulated hour, by hour of day (0-23); missing = 0",
    )
    basket: tuple[int, int] = Field(default=(1, 4), description="Items per shopper, min and max")
    shelf_fraction: float = Field(
        default=0.6, ge=0, le=1, description="Share of items taken from the sensed shelf lanes"
    )
    put_back_rate: float = Field(
        default=0.05, ge=0, le=1, description="Chance a shopper puts a taken item back"
    )
    member_rate: float = Field(default=0.3, ge=0, le=1, description="Shoppers who identify")
    failed_scan_rate: float = Field(
        default=0.05, ge=0, le=1, description="Items whose label does not scan: manual entry"
    )
    decline_rate: float = Field(default=0.08, ge=0, le=1, description="Card payments declined")
    cash_rate: float = Field(default=0.25, ge=0, le=1, description="Shoppers paying cash")
    age_restricted_rate: float = Field(
        default=0.03, ge=0, le=1, description="Shoppers adding an age-restricted item"
    )
    shrink_rate: float = Field(
        default=0.0, ge=0, le=1, description="Shelf picks followed by a unit leaving unpaid"
    )
    online_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Shoppers who order online for pickup instead (needs the cloud API)",
    )

    @model_validator(mode="after")
    def _check(self) -> ShopperProfile:
        lo, hi = self.basket
        if lo < 1 or hi < lo or hi > 50:
            raise ValueError("basket must be [min, max] with 1 <= min <= max <= 50")
        for hour, rate in self.per_hour.items():
            if not 0 <= hour <= 23 or not 0 <= rate <= 10_000:
                raise ValueError(f"per_hour: bad entry {hour}: {rate}")
        return self


class ShelfProfile(_Strict):
    lanes: int = Field(default=6, ge=1, le=24, description="Sensed lanes on shelf-1")
    capacity: int = Field(default=10, ge=2, le=200, description="Units a lane holds")
    low_stock_at: int = Field(default=3, ge=0, description="Low-stock alert at or below")
    noise_g: float = Field(default=0.8, ge=0, le=20, description="Load cell white noise σ, g")
    rate_hz: float = Field(
        default=80.0, ge=50, le=80, description="Samples per second per lane (HX711 80 SPS)"
    )


class StaffProfile(_Strict):
    restock_delay: Duration = Field(
        default=600.0, description="Simulated time from a low/out alert to the restock"
    )
    attendant_delay: Duration = Field(
        default=60.0, description="Simulated time before an attendant clears an intervention"
    )
    ack_delay: Duration = Field(
        default=180.0, description="Simulated time from a new alert to its acknowledgement"
    )
    fault_delay: Duration = Field(
        default=300.0, description="Simulated time from a printer fault to paper loaded"
    )
    resolve_delay: Duration = Field(
        default=600.0, description="Simulated time before staff resolve an alert by hand"
    )


class _Fault(_Strict):
    at: TimeOfDay = Field(description="Simulated time of day the fault starts, HH:MM")


class BrokerOutage(_Fault):
    kind: Literal["broker_outage"] = Field(description="The store's link to the broker drops")
    duration: Duration = Field(description="How long nothing gets through")


class NodeCrash(_Fault):
    kind: Literal["node_crash"] = Field(description="A node dies abruptly and restarts")
    node: str = Field(description="kiosk-1, kiosk-2 or shelf-1")
    down_for: Duration = Field(default=60.0, description="Time before it restarts")


class SensorSpike(_Fault):
    kind: Literal["sensor_spike"] = Field(description="Single-sample glitches on a lane")
    lane: str = Field(description="Lane id, e.g. l1")
    count: int = Field(default=5, ge=1, le=1000, description="How many spikes")


class SensorDrift(_Fault):
    kind: Literal["sensor_drift"] = Field(description="The zero of a lane's cell drifts")
    lane: str = Field(description="Lane id, e.g. l2")
    grams_per_hour: float = Field(default=20.0, description="Drift rate, simulated g/hour")
    duration: Duration = Field(default=3600.0, description="How long it drifts")


class SensorStuck(_Fault):
    kind: Literal["sensor_stuck"] = Field(description="A lane's cell repeats one value")
    lane: str = Field(description="Lane id, e.g. l3")
    duration: Duration = Field(default=600.0, description="How long it stays stuck")


class PrinterPaperOut(_Fault):
    kind: Literal["printer_paper_out"] = Field(description="A kiosk's printer runs out of paper")
    node: str = Field(description="kiosk-1 or kiosk-2")
    duration: Duration = Field(default=1800.0, description="Until staff loads paper")


class PaymentTimeout(_Fault):
    kind: Literal["payment_timeout"] = Field(description="The terminal's host stops answering")
    node: str = Field(description="kiosk-1 or kiosk-2")
    count: int = Field(default=1, ge=1, le=100, description="Next card payments timing out")


class ClockSkew(_Fault):
    kind: Literal["clock_skew"] = Field(description="A kiosk's clock jumps ahead (no NTP)")
    node: str = Field(description="kiosk-1 or kiosk-2")
    offset: Duration = Field(default=2 * 86_400.0, description="How far ahead it runs")
    duration: Duration = Field(default=600.0, description="Until its clock is set right")


class DiskFull(_Fault):
    kind: Literal["disk_full"] = Field(description="A node's outbox disk has no room left")
    node: str = Field(description="kiosk-1, kiosk-2 or shelf-1")
    duration: Duration = Field(default=600.0, description="Until space is freed")


Fault = Annotated[
    BrokerOutage
    | NodeCrash
    | SensorSpike
    | SensorDrift
    | SensorStuck
    | PrinterPaperOut
    | PaymentTimeout
    | ClockSkew
    | DiskFull,
    Field(discriminator="kind"),
]


class Scenario(_Strict):
    name: str = Field(default="custom", description="Shown in logs")
    description: str = Field(default="", description="What the scenario shows")
    seed: int = Field(default=1, description="Random seed: same seed, same shoppers")
    speed: float = Field(default=60.0, gt=0, le=100_000, description="Simulated s per real s")
    start: TimeOfDay = Field(default=8 * 3600.0, description="Simulated time of day at start")
    end: TimeOfDay | None = Field(
        default=22 * 3600.0, description="No arrivals after this time of day; None = run on"
    )
    closing_speed: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Simulated s per real s once the last arrival is in (at ``end``), so the "
        "last shoppers and staff finish on the business day however slow the machine; "
        "None = ``speed``",
    )
    shoppers: ShopperProfile = Field(default_factory=ShopperProfile, description="Shoppers")
    shelf: ShelfProfile = Field(default_factory=ShelfProfile, description="Sensed shelf")
    staff: StaffProfile = Field(default_factory=StaffProfile, description="Staff behaviour")
    faults: list[Fault] = Field(default_factory=list, description="Scheduled faults")

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start (same simulated day)")
        lanes = {f"l{i + 1}" for i in range(self.shelf.lanes)}
        for fault in self.faults:
            lane = getattr(fault, "lane", None)
            if lane is not None and lane not in lanes:
                raise ValueError(f"{fault.kind}: unknown lane {lane} (have l1..l{len(lanes)})")
        return self


def load_scenario(source: str | Path | None, **overrides: Any) -> Scenario:
    """A scenario from a file path, a bundled name (``day``) or defaults; overrides win."""
    data: dict[str, Any] = {}
    if source is not None:
        text = _read(source)
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{source}: not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ScenarioError(f"{source}: the top level must be a mapping")
        data = loaded or {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source or 'scenario'}: {exc.error_count()} invalid field(s)"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            lines.append(f"  {loc}: {err['msg']}")
        raise ScenarioError("\n".join(lines)) from exc


def _read(source: str | Path) -> str:
    path = Path(source)
    try:
        if path.is_file():  # a folder named like a bundled scenario (./demo) is not one
            return path.read_text(encoding="utf-8")
        bundled = resources.files("simulators.scenarios") / f"{source}.yaml"
        if bundled.is_file():
            return bundled.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: cannot read: {exc}") from exc
    raise ScenarioError(f"{source}: no such file or bundled scenario")
