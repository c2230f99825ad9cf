"""The decode pipeline: cheap first, fallbacks only when nothing was found, under a time budget.

Stage order (measured in bench/scan.py, figures in docs/BENCHMARKS.md):

1. zxing-cpp on the grayscale frame (or ROI): ~5 ms, reads most clean frames.
2. zxing-cpp on a half-size frame: cheap, and averages away noise and strong perspective.
3. Localise barcode-like regions (edge density on a half-size frame), cut each out turned
   upright along its long axis, and try zxing-cpp on the crop plain, contrast-normalised
   (CLAHE: dark frames, glare) and unsharp-masked (blur), then pyzbar on the crop. Crops are
   small, so these are ~1 ms each, and deskewing is what reads 30°/45° codes.
4. pyzbar on the whole frame (~30–40 ms): reads what zbar reads, so the pipeline is never
   worse than pyzbar alone when the budget allows it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.scanner.config import DecoderName, Roi
from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing, load_pyzbar

log = logging.getLogger(__name__)

DEFAULT_DECODERS: tuple[DecoderName, ...] = ("zxing", "pyzbar")
MAX_CANDIDATES = 3
WEAK_SYMBOLOGIES = frozenset({"upce", "ean8"})
"""Short symbols a decoder also "finds" inside a damaged EAN-13 (measured: UPC-E misreads at
30°); a stage that finds only these lets the next stages look for a longer read first."""


@dataclass(frozen=True)
class Region:
    """A barcode-like region: centre, size and angle (OpenCV ``minAreaRect``) in frame pixels."""

    cx: float
    cy: float
    w: float
    h: float
    angle: float
    score: float


def to_gray(frame: npt.NDArray[np.uint8], roi: Roi | None = None) -> Gray:
    """Grayscale (BGR, BGRA or already gray) cropped to ``roi`` (fractions of the frame)."""
    if frame.ndim == 3 and frame.shape[2] == 4:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    elif frame.ndim == 3:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    else:
        gray = frame
    if roi is not None:
        h, w = gray.shape[:2]
        x0, y0 = int(roi.x * w), int(roi.y * h)
        x1, y1 = max(x0 + 1, int((roi.x + roi.w) * w)), max(y0 + 1, int((roi.y + roi.h) * h))
        gray = gray[y0:y1, x0:x1]
    return np.ascontiguousarray(gray)


def stretch(gray: Gray) -> Gray:
    """Global min–max stretch: a dark frame's bars and spaces straddle mid-grey again."""
    stretched = cv2.normalize(gray, np.empty_like(gray), 0, 255, cv2.NORM_MINMAX)
    return np.asarray(stretched, dtype=np.uint8)


def normalise_contrast(gray: Gray) -> Gray:
    """CLAHE: lifts dark frames and tames glare locally, where a global stretch cannot."""
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))
    return np.asarray(clahe.apply(gray), dtype=np.uint8)


def unsharp(gray: Gray, sigma: float = 1.5, amount: float = 1.5) -> Gray:
    """Unsharp mask: restores bar edges under σ≈1.5–2 px blur that defeats both decoders."""
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0), dtype=np.uint8)


def find_regions(gray: Gray, limit: int = MAX_CANDIDATES) -> list[Region]:
    """Regions dense in edges (bars, modules), best first; found on a half-size frame."""
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    small = normalise_contrast(np.asarray(half, dtype=np.uint8))
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    density = cv2.blur(magnitude, (9, 9))
    peak = float(density.max())
    if peak <= 1.0:
        return []
    mask = np.asarray(density > 0.35 * peak, dtype=np.uint8) * 255
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))
    small_kernel = np.ones((3, 3), np.uint8)
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close), dtype=np.uint8)
    mask = np.asarray(cv2.erode(mask, small_kernel, iterations=2), dtype=np.uint8)
    mask = np.asarray(cv2.dilate(mask, small_kernel, iterations=3), dtype=np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions: list[Region] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < 150:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        x, y, bw, bh = cv2.boundingRect(contour)
        score = float(density[y : y + bh, x : x + bw].mean()) * min(area, 20000.0) ** 0.5
        regions.append(Region(cx * 2, cy * 2, w * 2, h * 2, angle, score))
    regions.sort(key=lambda r: r.score, reverse=True)
    return regions[:limit]


def upright_crop(gray: Gray, region: Region, margin: float = 1.25) -> Gray:
    """Cut ``region`` out of ``gray`` rotated so its sides are horizontal/vertical."""
    w, h = region.w * margin + 16, region.h * margin + 16
    rotation = cv2.getRotationMatrix2D((region.cx, region.cy), region.angle, 1.0)
    rotation[0, 2] += w / 2 - region.cx
    rotation[1, 2] += h / 2 - region.cy
    crop = cv2.warpAffine(
        gray,
        rotation,
        (max(int(w), 8), max(int(h), 8)),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(crop, dtype=np.uint8)


Stage = tuple[str, Callable[[], list[DecodedSymbol]]]


def decode_frame(
    frame: npt.NDArray[np.uint8],
    decoders: Sequence[DecoderName] = DEFAULT_DECODERS,
    *,
    roi: Roi | None = None,
    budget_ms: float = 40.0,
    clock: Callable[[], float] = time.perf_counter,
) -> list[DecodedSymbol]:
    """Every symbol the pipeline finds in ``frame``; empty when none (never raises on pixels).

    Stages after the first run only while nothing (or only a short UPC-E/EAN-8 read, see
    :data:`WEAK_SYMBOLOGIES`) was found and ``budget_ms`` is not spent;
    the whole-frame pyzbar stage needs a third of the budget left, as it costs ~30 ms.
    """
    start = clock()
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim not in (2, 3):
        log.debug("frame rejected: not an 8-bit image")
        return []
    try:
        gray = to_gray(frame, roi)
    except cv2.error as exc:
        log.debug("frame rejected: %s", exc)
        return []
    if gray.ndim != 2 or min(gray.shape) < 8:
        return []
    use_zxing = "zxing" in decoders
    use_pyzbar = "pyzbar" in decoders and load_pyzbar() is not None
    budget = budget_ms / 1000.0
    stages = _stages(gray, use_zxing=use_zxing, use_pyzbar=use_pyzbar)
    weak: list[DecodedSymbol] = []
    for index, (name, run) in enumerate(stages):
        elapsed = clock() - start
        if index > 0 and elapsed > budget:
            break
        if name == "pyzbar" and index > 0 and elapsed > budget * 2 / 3:
            break
        try:
            found = run()
        except Exception as exc:  # a decoder choking on odd pixels must not stop scanning
            log.debug("stage %s failed: %s", name, exc)
            continue
        if any(symbol.symbology not in WEAK_SYMBOLOGIES for symbol in found):
            return _unique(found)
        weak += found
    return _unique(weak)


def _stages(gray: Gray, *, use_zxing: bool, use_pyzbar: bool) -> list[Stage]:
    stages: list[Stage] = []
    if use_zxing:
        stages.append(("zxing", lambda: decode_zxing(stretch(gray), fixed_threshold=True)))
        stages.append(("zxing-local", lambda: decode_zxing(gray, "local")))
    stages.append(("regions", lambda: _decode_regions(gray, use_zxing, use_pyzbar)))
    if use_pyzbar:
        stages.append(("pyzbar", lambda: decode_pyzbar(gray)))
    return stages


def _upscaled_unsharp(crop: Gray) -> Gray:
    if crop.size > 400_000:
        return unsharp(crop, 1.0, 4.0)
    big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    return unsharp(np.asarray(big, dtype=np.uint8), 3.0, 3.0)


_CROP_VARIANTS: tuple[tuple[str, Callable[[Gray], Gray], bool], ...] = (
    ("crop", stretch, True),
    ("crop-local", lambda crop: crop, False),
    ("crop-clahe", normalise_contrast, True),
    ("crop-unsharp", lambda crop: stretch(unsharp(crop, 1.0, 4.0)), True),
    ("crop-upscaled-unsharp", _upscaled_unsharp, False),
)


def _decode_regions(gray: Gray, use_zxing: bool, use_pyzbar: bool) -> list[DecodedSymbol]:
    for region in find_regions(gray):
        crop = upright_crop(gray, region)
        if use_zxing:
            for stage, make, fixed in _CROP_VARIANTS:
                found = decode_zxing(make(crop), stage, fixed_threshold=fixed)
                if found:
                    return found
        if use_pyzbar:
            found = decode_pyzbar(crop, "crop")
            if found:
                return found
    return []


def _unique(symbols: list[DecodedSymbol]) -> list[DecodedSymbol]:
    seen: set[tuple[str, str]] = set()
    out: list[DecodedSymbol] = []
    for symbol in symbols:
        key = (symbol.text, symbol.symbology)
        if key not in seen:
            seen.add(key)
            out.append(symbol)
    return out
