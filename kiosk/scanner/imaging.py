"""Image helpers of the decode pipeline: contrast, sharpening, finding and straightening codes.

``find_regions`` is the finder of the targeted retries: edge-dense boxes on a half-size frame.
``upright_crop`` cuts one out along its long axis, and ``unwarp_cylinder`` undoes a can's or
bottle's curvature across it (bars crowd towards the edges of a curved code: on the photo
set, curved codes read least often).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.scanner.config import Roi
from kiosk.scanner.decoders import Gray

MAX_CANDIDATES = 3


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
    # |gx| + |gy| in 8 bits (each ≤ 1020 scaled by 1/8): the float L2 magnitude cost more
    # than a whole-frame decode's share; the regions it finds are the same shapes.
    gx = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3), alpha=0.125)
    gy = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3), alpha=0.125)
    density = cv2.blur(cv2.add(gx, gy), (9, 9))
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


def unwarp_cylinder(crop: Gray, code_width: float, half_arc_deg: float) -> Gray:
    """Flatten ``crop`` (code horizontal, centred) as if printed on a cylinder.

    A code spanning ±``half_arc_deg`` of a cylinder shows its arc ``s`` at ``R·sin(s/R)``
    from the centre, ``R`` set by the code's projected width; this resamples it at even arc
    steps so the modules are equal again.
    """
    h, w = crop.shape[:2]
    phi = math.radians(half_arc_deg)
    radius = (code_width / 2.0) / math.sin(phi)
    half_out = radius * phi + (w - code_width) / 2.0
    out_w = max(8, int(2 * half_out))
    s = np.arange(out_w, dtype=np.float32) - out_w / 2.0
    theta = np.clip(s / radius, -math.pi / 2, math.pi / 2)
    map_x = np.tile((w / 2.0 + radius * np.sin(theta)).astype(np.float32), (h, 1))
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], out_w, axis=1)
    flat = cv2.remap(crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(flat, dtype=np.uint8)
