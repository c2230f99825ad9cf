"""The two barcode decoders behind one result type, with the symbology names the kiosk uses.

zxing-cpp ships in its wheel; pyzbar needs the libzbar0 system library, so it is loaded
lazily and the pipeline goes on without it when it is missing. zxing-cpp reads in plain text
mode: its default GS1 text ``(01)…`` is rejected by biip, plain text plus the symbology
identifier is what biip expects.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Gray = npt.NDArray[np.uint8]

_ZXING_NAMES = {
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPCA": "upca",
    "UPCE": "upce",
    "DataBar": "databar",
    "DataBarOmni": "databar",
    "DataBarStk": "databar",
    "DataBarStkOmni": "databar",
    "DataBarExp": "databar_expanded",
    "DataBarExpStk": "databar_expanded",
    "DataBarLtd": "databar_limited",
    "ITF": "itf",
    "ITF14": "itf",
    "Code39": "code39",
    "Code93": "code93",
    "Codabar": "codabar",
    "PDF417": "pdf417",
    "Aztec": "aztec",
}
_GS1_VARIANTS = {
    ("DataMatrix", True): "gs1_datamatrix",
    ("DataMatrix", False): "datamatrix",
    ("QRCode", True): "gs1_qrcode",
    ("QRCode", False): "qrcode",
    ("Code128", True): "gs1_128",
    ("Code128", False): "code128",
}
_PYZBAR_NAMES = {
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPCA": "upca",
    "UPCE": "upce",
    "DATABAR": "databar",
    "DATABAR_EXP": "databar_expanded",
    "QRCODE": "qrcode",
    "CODE128": "code128",
}
_GS1_MODIFIERS = {"]d2", "]Q3", "]C1", "]e0"}


@dataclass(frozen=True)
class DecodedSymbol:
    """One symbol found in a frame. ``text`` is plain (FNC1 as ``\\x1d``), no AIM prefix."""

    text: str
    symbology: str
    decoder: str
    stage: str = "raw"
    box: tuple[int, int, int, int] | None = None
    """Where it was read (x0, y0, x1, y1) in the image the decoder was given, if known."""
    line: tuple[float, float, float, float] | None = field(default=None, compare=False)
    """zxing-cpp: the read's scan line, start (x, y) to end (x, y), mid-way between the first
    and last rows that read it; how far it stops from the image's edge (``quiet_zone``)."""
    binarizer: str | None = field(default=None, compare=False)
    """zxing-cpp: ``local`` or ``fixed`` (threshold), which pixels it saw (``second_read``)."""


@functools.cache
def zxing_formats() -> Any:
    """The formats a shop meets: retail (EAN/UPC/DataBar), DataMatrix, QR, Code 128."""
    import zxingcpp

    wanted = ("EAN13", "EAN8", "UPCA", "UPCE", "DataBar", "DataBarExp", "DataBarLtd")
    names = (*wanted, "DataMatrix", "QRCode", "Code128")
    return zxingcpp.barcode_formats_from_str(",".join(names))


def zxing_symbology(format_name: str, symbology_identifier: str) -> str:
    key = (format_name, symbology_identifier in _GS1_MODIFIERS)
    if key in _GS1_VARIANTS:
        return _GS1_VARIANTS[key]
    return _ZXING_NAMES.get(format_name, format_name.lower())


def decode_zxing(
    gray: Gray, stage: str = "raw", *, fixed_threshold: bool = False, try_rotate: bool = True
) -> list[DecodedSymbol]:
    """zxing-cpp on one grayscale image (~5–15 ms at 1280×720).

    ``fixed_threshold`` binarises at mid-grey instead of zxing-cpp's local average: on a
    contrast-normalised frame it reads EAN/UPC far more often (see docs/decisions/0040).
    """
    import zxingcpp

    binarizer = (
        zxingcpp.Binarizer.FixedThreshold if fixed_threshold else zxingcpp.Binarizer.LocalAverage
    )
    results = zxingcpp.read_barcodes(
        gray,
        formats=zxing_formats(),
        binarizer=binarizer,
        try_rotate=try_rotate,
        try_downscale=True,
        try_invert=False,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return [
        DecodedSymbol(
            text=r.text,
            symbology=zxing_symbology(r.format.name, r.symbology_identifier),
            decoder="zxing",
            stage=stage,
            box=_zxing_box(r.position),
            line=_zxing_line(r.position),
            binarizer="fixed" if fixed_threshold else "local",
        )
        for r in results
        if r.valid and r.text
    ]


def _zxing_box(position: Any) -> tuple[int, int, int, int]:
    corners = (position.top_left, position.top_right, position.bottom_left, position.bottom_right)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _zxing_line(position: Any) -> tuple[float, float, float, float]:
    start = (
        (position.top_left.x + position.bottom_left.x) / 2,
        (position.top_left.y + position.bottom_left.y) / 2,
    )
    end = (
        (position.top_right.x + position.bottom_right.x) / 2,
        (position.top_right.y + position.bottom_right.y) / 2,
    )
    return (*start, *end)


@functools.cache
def load_pyzbar() -> ModuleType | None:
    """``pyzbar.pyzbar`` or None when libzbar0 is not installed (logged once)."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:
        log.warning("pyzbar unavailable (install libzbar0): %s", exc)
        return None
    module: ModuleType = pyzbar
    return module


@functools.cache
def _pyzbar_symbols() -> list[Any]:
    from pyzbar.pyzbar import ZBarSymbol

    return [getattr(ZBarSymbol, name) for name in _PYZBAR_NAMES]


def decode_pyzbar(gray: Gray, stage: str = "raw") -> list[DecodedSymbol]:
    """pyzbar (zbar) on one grayscale image; slower, but reads some skewed codes zxing misses."""
    pyzbar = load_pyzbar()
    if pyzbar is None:
        return []
    found: list[DecodedSymbol] = []
    for r in pyzbar.decode(gray, symbols=_pyzbar_symbols()):
        text = r.data.decode("utf-8", errors="replace")
        if text:
            found.append(
                DecodedSymbol(
                    text=text,
                    symbology=_PYZBAR_NAMES.get(r.type, r.type.lower()),
                    decoder="pyzbar",
                    stage=stage,
                    box=(
                        r.rect.left,
                        r.rect.top,
                        r.rect.left + r.rect.width,
                        r.rect.top + r.rect.height,
                    ),
                )
            )
    return found
