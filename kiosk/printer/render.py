"""Layout operations → ESC/POS bytes with python-escpos (``Dummy`` printer + a profile).

Rendering is separate from transport (python-escpos's own lesson): the bytes are built in
memory, so they can be compared with golden files and sent by any backend in one write.

CJK text: ``cjk="gb18030"`` sends GB18030 (Chinese-firmware printers only, after ``FS &``
selects the Chinese mode); ``cjk="image"`` draws each line holding wide characters with a
CJK font and sends it as a raster image. With no usable font the line is printed with
``?`` in place of those characters and a warning is logged: a missing font must never stop
a sale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.printer.config import AnyPrinterConfig, CjkMode
from kiosk.printer.exceptions import FontMissing
from kiosk.printer.receipt import Cut, Feed, Op, QrCode, Rule, Text
from kiosk.printer.text import char_width, is_wide, text_width

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CHINESE_MODE = b"\x1c\x26"  # FS &: select Kanji/Chinese character mode
INIT = b"\x1b\x40"  # ESC @


@dataclass(frozen=True)
class RenderSettings:
    """What rendering needs from the printer config (so tests can build it directly)."""

    profile: str = "TM-T88V"
    width_chars: int | None = None
    paper_px: int | None = None
    cjk: CjkMode = "image"
    font_path: Path | None = None
    font_px: int = 24
    qr_native: bool | None = None
    qr_size: int = 6
    cut: bool = True

    @classmethod
    def from_config(cls, config: AnyPrinterConfig) -> RenderSettings:
        return cls(
            profile=config.profile,
            width_chars=config.width_chars,
            paper_px=config.paper_px,
            cjk=config.cjk,
            font_path=config.font_path,
            font_px=config.font_px,
            qr_native=config.qr_native,
            qr_size=config.qr_size,
            cut=config.cut,
        )


def find_font(configured: Path | None, candidates: Iterable[str] = FONT_CANDIDATES) -> Path:
    """The configured font, else the first CJK font found; :class:`FontMissing` otherwise."""
    if configured is not None:
        if configured.is_file():
            return configured
        raise FontMissing(f"CJK font {configured} does not exist")
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("no CJK font found; install fonts-wqy-microhei or set printer.font_path")


class Renderer:
    """Turns ops into bytes for one printer profile; keeps the loaded font between receipts."""

    def __init__(self, settings: RenderSettings) -> None:
        from escpos.capabilities import get_profile

        self.settings = settings
        self._profile = get_profile(settings.profile)
        data: dict[str, Any] = self._profile.profile_data
        self.width_chars = settings.width_chars or int(self._profile.get_columns("a"))
        pixels = data.get("media", {}).get("width", {}).get("pixels")
        self.paper_px = settings.paper_px or (int(pixels) if str(pixels).isdigit() else 512)
        native = bool(data.get("features", {}).get("qrCode", False))
        self.qr_native = native if settings.qr_native is None else settings.qr_native
        self._font: Any = None
        self._font_failed = False

    def render(self, ops: Sequence[Op]) -> bytes:
        from escpos.printer import Dummy

        printer = Dummy(profile=self.settings.profile)
        printer._raw(INIT)
        if self.settings.cjk == "gb18030":
            printer._raw(CHINESE_MODE)
        for op in ops:
            self._op(printer, op)
        return bytes(printer.output)

    def _op(self, p: Any, op: Op) -> None:
        if isinstance(op, Text):
            self._text(p, op)
        elif isinstance(op, Rule):
            p.set(align="left", bold=False, normal_textsize=True)
            self._write(p, op.char * self.width_chars)
        elif isinstance(op, Feed):
            p._raw(b"\n" * op.lines)
        elif isinstance(op, QrCode):
            p.set(align="center", bold=False, normal_textsize=True)
            if self.qr_native:
                p.qr(op.data, native=True, size=self.settings.qr_size)
            else:
                p.qr(op.data, native=False, size=self.settings.qr_size, center=True)
            p.set(align="left")
        elif isinstance(op, Cut) and self.settings.cut:
            p.cut()

    def _text(self, p: Any, op: Text) -> None:
        p.set(
            align=op.align,
            bold=op.bold,
            normal_textsize=not op.double,
            double_width=op.double,
            double_height=op.double,
        )
        if self.settings.cjk == "image" and is_wide(op.text):
            font = self._load_font()
            if font is not None:
                p.image(self._draw(op, font), impl="bitImageRaster")
                return
            self._write(p, "".join("??" if char_width(c) == 2 else c for c in op.text))
            return
        self._write(p, op.text)

    def _write(self, p: Any, text: str) -> None:
        if self.settings.cjk == "gb18030":
            p._raw(text.encode("gb18030", errors="replace") + b"\n")
        else:
            p.textln(text)

    def _load_font(self) -> Any:
        if self._font is None and not self._font_failed:
            from PIL import ImageFont

            try:
                path = find_font(self.settings.font_path)
                self._font = ImageFont.truetype(str(path), self.settings.font_px)
            except (FontMissing, OSError) as exc:
                self._font_failed = True
                log.warning("CJK text will print as '?': %s", exc)
        return self._font

    def _draw(self, op: Text, font: Any) -> Any:
        """One text line as a 1-bit image as wide as the paper, cells matching the grid."""
        from PIL import Image, ImageDraw

        scale = 2 if op.double else 1
        cell = self.paper_px / self.width_chars * scale
        height = int(self.settings.font_px * 1.25) * scale
        image = Image.new("1", (self.paper_px, height), 1)
        draw = ImageDraw.Draw(image)
        used = text_width(op.text) * cell
        x = {"left": 0.0, "center": (self.paper_px - used) / 2, "right": self.paper_px - used}
        cursor = max(0.0, x[op.align])
        size = self.settings.font_px * scale
        line_font = font if scale == 1 else font.font_variant(size=size)
        for ch in op.text:
            width = char_width(ch)
            if not ch.isspace():
                draw.text(
                    (cursor, (height - size) / 2),
                    ch,
                    font=line_font,
                    fill=0,
                    stroke_width=1 if op.bold else 0,
                    stroke_fill=0,
                )
            cursor += width * cell
        return image
