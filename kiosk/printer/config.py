"""Printer configuration: the transport is chosen by ``type:`` (usb, serial, network, file,
dummy); every type shares the rendering settings (profile, width, CJK mode, QR).

```yaml
printer:
  type: network
  host: 192.168.1.50
  profile: TM-T88V
  cjk: image
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

CjkMode = Literal["gb18030", "image"]


class _PrinterBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = Field(
        default="TM-T88V",
        description="python-escpos capability profile (e.g. TM-T88V, TM-T20II, NT-5890K)",
    )
    width_chars: int | None = Field(
        default=None,
        ge=24,
        le=64,
        description="Characters per line (32 for 58 mm, 42 or 48 for 80 mm); None = profile's",
    )
    paper_px: int | None = Field(
        default=None,
        ge=128,
        le=1024,
        description="Printable width in dots for images; None = profile's, else 512",
    )
    cjk: CjkMode = Field(
        default="image",
        description="gb18030 only for Chinese-firmware printers; image renders CJK with a font",
    )
    font_path: Path | None = Field(
        default=None,
        description="TrueType/OpenType font with CJK glyphs; None = search the usual paths",
    )
    font_px: int = Field(default=24, ge=12, le=64, description="CJK image text height, dots")
    qr_native: bool | None = Field(
        default=None,
        description="Print QR with the printer's own command; None = when the profile has it",
    )
    qr_size: int = Field(default=6, ge=1, le=16, description="QR module size in dots")
    cut: bool = Field(default=True, description="Cut the paper after each receipt")
    check_status: bool = Field(
        default=True, description="Ask paper/online status (DLE EOT) before printing"
    )
    status_timeout_s: float = Field(
        default=0.5, gt=0, le=10, description="Wait this long for a status answer; silence=unknown"
    )
    keep_receipts: int = Field(
        default=50, ge=1, le=10_000, description="Receipts kept in memory for reprint"
    )


class UsbPrinterConfig(_PrinterBase):
    """A USB printer driven through pyusb (``usblp``/CUPS holding it gives "Resource busy")."""

    type: Literal["usb"] = Field(description="Discriminator: USB printer through pyusb")
    vendor_id: int = Field(ge=0, le=0xFFFF, description="USB vendor id, e.g. 0x04b8 (Epson)")
    product_id: int = Field(ge=0, le=0xFFFF, description="USB product id")
    in_ep: int | None = Field(default=None, description="IN endpoint; None = auto")
    out_ep: int | None = Field(default=None, description="OUT endpoint; None = auto")
    timeout_ms: int = Field(default=2000, ge=100, description="USB transfer timeout, ms")


class SerialPrinterConfig(_PrinterBase):
    """A serial printer (RS-232, USB-COM) through pyserial; any pyserial URL works."""

    type: Literal["serial"] = Field(description="Discriminator: serial printer through pyserial")
    port: str = Field(description="Device or pyserial URL, e.g. /dev/ttyUSB0, loop://")
    baudrate: int = Field(default=19200, ge=1200, description="Line speed")
    timeout_s: float = Field(default=2.0, gt=0, description="Write timeout, seconds")


class NetworkPrinterConfig(_PrinterBase):
    """A network printer on its raw port (9100)."""

    type: Literal["network"] = Field(description="Discriminator: raw TCP printer")
    host: str = Field(min_length=1, description="Printer host name or IP")
    port: int = Field(default=9100, ge=1, le=65535, description="Raw printing port")
    timeout_s: float = Field(default=5.0, gt=0, description="Connect and send timeout, seconds")


class FilePrinterConfig(_PrinterBase):
    """A device file (``/dev/usb/lp0``) or a plain file the bytes are appended to."""

    type: Literal["file"] = Field(description="Discriminator: write to a device or file")
    path: Path = Field(description="e.g. /dev/usb/lp0")


class DummyPrinterConfig(_PrinterBase):
    """An in-memory printer for tests and simulators; it behaves like hardware."""

    type: Literal["dummy"] = Field(description="Discriminator: in-memory printer")
    paper: Literal["ok", "near_end", "out"] = Field(default="ok", description="Simulated paper")
    online: bool = Field(default=True, description="Simulated online state")


PrinterConfig = Annotated[
    UsbPrinterConfig
    | SerialPrinterConfig
    | NetworkPrinterConfig
    | FilePrinterConfig
    | DummyPrinterConfig,
    Field(discriminator="type"),
]
"""The ``printer:`` section of the kiosk config."""

AnyPrinterConfig = (
    UsbPrinterConfig
    | SerialPrinterConfig
    | NetworkPrinterConfig
    | FilePrinterConfig
    | DummyPrinterConfig
)
