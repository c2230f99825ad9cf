"""``scale:`` and ``stability:`` of the kiosk config: the bagging scale picked by ``type``
and built by its variant (:class:`~kiosk.scale.base.ScaleSetup`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from edge.config import Strict
from kiosk.scale.base import ScaleSetup
from kiosk.scale.fake import FakeScale
from kiosk.scale.serial import SerialScale


class FakeScaleConfig(Strict):
    type: Literal["fake"] = Field(description="Discriminator: simulated load cell")
    noise_g: float = Field(default=0.5, ge=0, le=50, description="White noise, grams (1 σ)")
    sample_s: float = Field(default=0.02, gt=0, le=1, description="Seconds between samples")
    auto_bag: bool = Field(
        default=False, description="Demo shopper: place each scanned item's weight automatically"
    )

    def build(self) -> ScaleSetup:
        scale = FakeScale(noise_g=self.noise_g, sample_s=self.sample_s)
        return ScaleSetup(scale, bag=scale.place_later if self.auto_bag else None)


class SerialScaleConfig(Strict):
    type: Literal["serial"] = Field(description="Discriminator: bench scale on a serial line")
    port: str = Field(description="Device or pyserial URL, e.g. /dev/ttyUSB0")
    baudrate: int = Field(default=9600, gt=0, description="Line speed")

    def build(self) -> ScaleSetup:
        return ScaleSetup(SerialScale(self.port, self.baudrate))


class NoScaleConfig(Strict):
    type: Literal["none"] = Field(description="Discriminator: no bagging scale, no weight check")

    def build(self) -> ScaleSetup:
        return ScaleSetup(None)


ScaleConfig = Annotated[
    FakeScaleConfig | SerialScaleConfig | NoScaleConfig, Field(discriminator="type")
]


class StabilityConfig(Strict):
    window: int = Field(default=5, ge=2, le=100, description="Samples that must agree")
    spread_g: Decimal = Field(default=Decimal(3), gt=0, description="Allowed spread, grams")
    noise_g: Decimal = Field(
        default=Decimal(5), ge=0, description="Weight changes below this are ignored"
    )
