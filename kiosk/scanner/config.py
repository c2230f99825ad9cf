"""Scanner configuration: which scanner the kiosk has (``type:``) and the GS1 country rules.

The scanner section of the kiosk config is a discriminated union, so a YAML file says
``type: camera``, ``type: serial`` or ``type: none`` and gets only the fields that apply.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DecoderName = Literal["zxing", "pyzbar"]
_DEFAULT_DECODERS: tuple[DecoderName, ...] = ("zxing", "pyzbar")
RcnRegionName = Literal["dk", "ee", "fi", "de", "gb", "lv", "lt", "no", "se", "odoo"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Roi(_Strict):
    """Region of interest as fractions of the frame, so it survives a resolution change."""

    x: float = Field(ge=0, lt=1, description="Left edge, fraction of the frame width")
    y: float = Field(ge=0, lt=1, description="Top edge, fraction of the frame height")
    w: float = Field(gt=0, le=1, description="Width, fraction of the frame width")
    h: float = Field(gt=0, le=1, description="Height, fraction of the frame height")

    @model_validator(mode="after")
    def _inside(self) -> Roi:
        if self.x + self.w > 1.0 + 1e-9 or self.y + self.h > 1.0 + 1e-9:
            raise ValueError("roi must lie inside the frame (x + w <= 1, y + h <= 1)")
        return self


class CameraScannerConfig(_Strict):
    """A camera (USB/CSI device, video file or stream URL) decoded by the pipeline."""

    type: Literal["camera"] = Field(description="Discriminator: scan with a camera")
    source: int | str = Field(
        default=0, description="Device index (0), video file path or stream URL (rtsp://…)"
    )
    roi: Roi | None = Field(
        default=None, description="Decode only this part of the frame; None = whole frame"
    )
    confirm_frames: int = Field(
        default=2, ge=1, le=30, description="Frames that must agree before a code is accepted"
    )
    confirm_window_s: float = Field(
        default=1.0, gt=0, description="The confirming frames must fall within this time"
    )
    debounce_s: float | None = Field(
        default=None,
        ge=0,
        description="Held in view: None accepts a code once per presence; a number "
        "re-accepts it after that many seconds (hold-to-repeat)",
    )
    left_view_s: float = Field(
        default=0.4, ge=0, description="A code unseen this long has left the view (rescan ok)"
    )
    width: int | None = Field(default=1280, ge=16, description="Requested frame width (pixels)")
    height: int | None = Field(default=720, ge=16, description="Requested frame height (pixels)")
    decoders: list[DecoderName] = Field(
        default_factory=lambda: list(_DEFAULT_DECODERS),
        min_length=1,
        description="Decoders the pipeline combines; pyzbar is skipped if libzbar is missing",
    )
    budget_ms: float = Field(
        default=40.0, gt=0, description="Time budget per frame for the fallback stages"
    )
    retry_share: float | None = Field(
        default=1.0,
        gt=0,
        description="A frame may cost (1 + this) x its whole-frame zxing-cpp pass, and never "
        "more than budget_ms: the live loop stays at frame rate (docs/decisions/0259)",
    )
    fit_share: float | None = Field(
        default=None,
        gt=0,
        description="Off when None. Else the model-based reader for 1.0-1.4 px modules "
        "(bar_fit) may run after the retries until a frame has cost (1 + retry_share + "
        "this) x its whole-frame zxing-cpp pass; it starts only with 2 passes left, so "
        "set >= 3: more reads of small codes, 0 wrong, but the median frame costs over 2x "
        "zxing-cpp (docs/decisions/0267)",
    )
    loop: bool = Field(default=False, description="Rewind a video file at its end (demo, soak)")
    realtime: bool = Field(
        default=True, description="Play a video file at its own frame rate, like a live camera"
    )


class SerialScannerConfig(_Strict):
    """A USB-COM or RS-232 handheld scanner; each code ends with ``suffix``."""

    type: Literal["serial"] = Field(description="Discriminator: scan with a serial scanner")
    port: str = Field(description="Device or pyserial URL: /dev/ttyACM0, loop://, socket://…")
    baudrate: int = Field(default=9600, gt=0, description="Line speed (ignored by USB-COM)")
    suffix: Literal["\r", "\n", "\r\n"] = Field(
        default="\r", description="Terminator the scanner appends to every code"
    )
    reconnect_s: float = Field(
        default=1.0, gt=0, description="Wait before reopening an unplugged scanner"
    )
    debounce_s: float = Field(
        default=0.0, ge=0, description="Ignore an identical code again within this time"
    )
    max_line: int = Field(
        default=512, ge=16, description="Longer lines are garbage and dropped, not decoded"
    )


class NoScannerConfig(_Strict):
    """No scanner: manual entry only (or a test kiosk)."""

    type: Literal["none"] = Field(description="Discriminator: no scanner attached")


ScannerConfig = Annotated[
    CameraScannerConfig | SerialScannerConfig | NoScannerConfig, Field(discriminator="type")
]


class Gs1Config(_Strict):
    """How GS1 codes are read: which country's variable-measure rules apply, what to accept."""

    rcn_region: RcnRegionName | None = Field(
        default=None,
        description=(
            "Variable-measure (prefix 02/20-29) rules: a biip RcnRegion code (dk, ee, fi, de, gb, "
            "lv, lt, no, se) or 'odoo' (21.....NNDDD weight, 23.....NNNDD price); None = opaque"
        ),
    )
    verify_variable_measure: bool = Field(
        default=True, description="Check the price/weight check digit where the rule has one"
    )
    verify_dates: bool = Field(
        default=True, description="Reject GS1 dates with an impossible month (biip's check)"
    )
    payment_codes: bool = Field(
        default=True, description="Recognise 18-digit WeChat Pay / Alipay codes as payment codes"
    )
