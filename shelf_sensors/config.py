"""Shelf node configuration: lanes (planogram), the load cell source, LEDs, pipeline tunables.

The load cell source and the GPIO backends are discriminated by ``type:`` (hx711 / serial /
fake; rpi / fake), so a laptop runs the same node on simulated hardware.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from edge.config import NodeConfig
from edge.hardware.gpio import FakeGpioConfig, GpioConfig
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.settings import DetectionSettings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hx711Pins(_Strict):
    dout: int = Field(ge=0, le=27, description="BCM pin of the HX711 DOUT")
    sck: int = Field(ge=0, le=27, description="BCM pin of the HX711 PD_SCK")


class Hx711Source(_Strict):
    """HX711s bit-banged from the Pi's GPIO (Pi ≤ 4)."""

    type: Literal["hx711"] = Field(description="HX711 chips on GPIO")
    gpio: GpioConfig = Field(default_factory=FakeGpioConfig, description="GPIO backend")
    gain: Literal[128, 64, 32] = Field(default=128, description="HX711 gain (channel A: 128/64)")
    pins: dict[str, Hx711Pins] = Field(description="Lane id → its chip's pins")


class SerialSource(_Strict):
    """A microcontroller streaming ``lane,t,raw`` lines (docs/loadcell-serial-protocol.md)."""

    type: Literal["serial"] = Field(description="Microcontroller over serial")
    port: str = Field(description="Device or pyserial URL, e.g. /dev/ttyACM0")
    baudrate: int = Field(default=115_200, gt=0, description="Serial speed")


class FakeSource(_Strict):
    """Simulated cells and shoppers (shelf_sensors.simulation)."""

    type: Literal["fake"] = Field(description="Simulated load cells")
    seed: int = Field(default=0, description="Random seed of the simulation")
    speed: float = Field(default=1.0, ge=0, description="Simulated seconds per real second")
    mean_gap_s: float = Field(default=30.0, gt=0, description="Mean time between shoppers")
    noise_g: float = Field(default=1.0, ge=0, description="White noise σ, grams")
    full_scale_g: float = Field(default=20_000.0, gt=0, description="Cell capacity, grams")
    start_count: int | None = Field(
        default=None, ge=0, description="Units on each lane at start (default: capacity / 2)"
    )


LoadCellSource = Annotated[Hx711Source | SerialSource | FakeSource, Field(discriminator="type")]


class LedSettings(_Strict):
    gpio: GpioConfig = Field(default_factory=FakeGpioConfig, description="GPIO backend")
    pins: dict[str, int] = Field(default_factory=dict, description="Lane id → BCM pin")
    active_high: bool = Field(default=True, description="LED lit when the pin is high")


class HealthSettings(_Strict):
    stuck_samples: int = Field(default=160, ge=2, description="Identical raws = stuck sensor")
    saturated_samples: int = Field(default=8, ge=1, description="Rail raws = saturated sensor")
    disconnect_s: float = Field(default=2.0, gt=0, description="No valid read = disconnected")


class ShelfConfig(NodeConfig):
    """``smartstore shelf run --config F``."""

    lanes: list[LaneSpec] = Field(min_length=1, description="The planogram of this shelf")
    loadcell: LoadCellSource = Field(description="Where readings come from (type: …)")
    leds: LedSettings | None = Field(default=None, description="Out-of-stock LED per lane")
    detection: DetectionSettings = Field(
        default_factory=DetectionSettings, description="Pipeline tunables"
    )
    health: HealthSettings = Field(default_factory=HealthSettings, description="Sensor faults")
    default_scale_g_per_count: float = Field(
        default=1.0, gt=0, description="Scale of a lane with no stored calibration"
    )

    @model_validator(mode="after")
    def _lanes_unique(self) -> ShelfConfig:
        ids = [spec.lane for spec in self.lanes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate lane ids: {', '.join(dupes)}")
        if isinstance(self.loadcell, Hx711Source):
            missing = sorted(set(ids) - set(self.loadcell.pins))
            if missing:
                raise ValueError(f"loadcell.pins has no pins for lane(s) {', '.join(missing)}")
        return self
