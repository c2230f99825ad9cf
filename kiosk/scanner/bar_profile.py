"""Where the model-based reader (``bar_fit``) looks, and the profile it reads there.

``find_regions`` looks at a half-size frame, where 1.0–1.4 px modules blur away:
``fine_regions`` scores full-resolution gradients instead. ``profile`` samples a region
along its bars' gradient (sub-pixel) and folds many rows into one low-noise line: each
column's median over the rows busy with bars there (glare on a few rows does not move it,
and rows past a perspective code's shorter bars do not flatten it). ``extent`` finds the
code's first and last bar in it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.scanner.decoders import Gray
from kiosk.scanner.imaging import Region

Floats = npt.NDArray[np.float64]
BUSY_SHARE = 0.5
"""A row joins a column's median where its bar energy there is at least this share of the
busiest row's (columns with no bars keep every row)."""
CELL = 4
"""``fine_regions`` averages its structure tensor over CELL × CELL pixels."""


def profile(gray: Gray, region: Region, rows: tuple[float, float] = (0.0, 1.0)) -> Floats:
    """The region's grey levels across its bars, 0.5 px a sample, the median over the rows
    of the band ``rows`` (shares of the bars' length) along the bars."""
    ux, uy = _gradient_direction(gray, region)
    vx, vy = -uy, ux
    rad = math.radians(region.angle)
    ax, ay = math.cos(rad), math.sin(rad)
    along_u = abs(region.w * (ax * ux + ay * uy)) + abs(region.h * (-ay * ux + ax * uy))
    along_v = abs(region.w * (ax * vx + ay * vy)) + abs(region.h * (-ay * vx + ax * vy))
    u = np.arange(-(along_u * 0.7 + 12), along_u * 0.7 + 12, 0.5)
    v0, v1 = (-0.5 + rows[0]) * along_v * 0.9, (-0.5 + rows[1]) * along_v * 0.9
    v = np.arange(v0, max(v1, v0 + 1.0), 1.0)
    map_x = (region.cx + u[None, :] * ux + v[:, None] * vx).astype(np.float32)
    map_y = (region.cy + u[None, :] * uy + v[:, None] * vy).astype(np.float32)
    grid = cv2.remap(
        gray.astype(np.float32), map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return _fold(np.asarray(grid, dtype=np.float64))


def _fold(grid: Floats) -> Floats:
    """Each column's median over the rows busy with bars there: a perspective code's bars
    are shorter at one end, and rows of paper or digits past them would pull it flat."""
    base = np.asarray(cv2.GaussianBlur(grid, (0, 0), sigmaX=6.0, sigmaY=0.1))
    busy = np.asarray(cv2.blur(np.abs(grid - base), (17, 1)))
    peak = busy.max(axis=0, keepdims=True)
    keep = (busy >= BUSY_SHARE * peak) | (peak < BUSY_SHARE * float(peak.max()))
    kept = np.maximum(keep.sum(axis=0), 1)
    mean = np.where(keep, grid, 0.0).sum(axis=0) / kept
    # The median of the kept rows, the others standing in at the kept rows' mean.
    return np.asarray(np.median(np.where(keep, grid, mean[None, :]), axis=0), dtype=np.float64)


def _gradient_direction(gray: Gray, region: Region) -> tuple[float, float]:
    """Unit vector across the bars: the dominant gradient (structure tensor) of the region."""
    h, w = gray.shape[:2]
    r = 0.5 * max(region.w, region.h)
    x0, x1 = max(0, int(region.cx - r)), min(w, int(region.cx + r) + 1)
    y0, y1 = max(0, int(region.cy - r)), min(h, int(region.cy + r) + 1)
    patch = gray[y0:y1, x0:x1].astype(np.float32)
    gx = cv2.Sobel(patch, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    theta = 0.5 * math.atan2(2 * jxy, jxx - jyy)
    return math.cos(theta), math.sin(theta)


def fine_regions(gray: Gray, limit: int = 3) -> list[Region]:
    """Regions of fine parallel bars, most bar-like first.

    ``find_regions`` looks at a half-size frame, where 1.0–1.4 px modules blur away; here
    the gradients are taken at full resolution and their structure tensor, averaged over
    4 × 4 pixel cells, scores how much gradient energy points one way (bars) rather than
    every way (text, texture)."""
    gx = cv2.Sobel(gray, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_16S, 0, 1, ksize=3)
    size = (gray.shape[1] // CELL, gray.shape[0] // CELL)

    def cells(a: npt.NDArray[np.float32] | cv2.typing.MatLike) -> npt.NDArray[np.float32]:
        small = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.blur(small, (3, 3)), dtype=np.float32)

    jxx = cells(cv2.multiply(gx, gx, dtype=cv2.CV_32F))
    jyy = cells(cv2.multiply(gy, gy, dtype=cv2.CV_32F))
    jxy = cells(cv2.multiply(gx, gy, dtype=cv2.CV_32F))
    oriented = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy)
    score = np.asarray(cv2.blur(oriented - 2.0 * (jxx + jyy - oriented), (3, 3)))
    peak = float(score.max())
    if peak <= 0:
        return []
    mask = np.asarray(score > 0.25 * peak, dtype=np.uint8) * 255
    mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions: list[Region] = []
    for contour in contours:
        area = cv2.contourArea(contour) * CELL * CELL
        if area < 300:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        x, y, bw, bh = cv2.boundingRect(contour)
        strength = float(score[y : y + bh, x : x + bw].mean()) * math.sqrt(area)
        c = CELL
        regions.append(
            Region(cx * c + c / 2, cy * c + c / 2, w * c + c, h * c + c, angle, strength)
        )
    regions.sort(key=lambda r: r.score, reverse=True)
    return regions[:limit]


def extent(darkness: Floats) -> tuple[float, float] | None:
    """First and last inked sample of the code, in samples.

    The code is where the profile is busy (its high-pass energy; a label's edge is one step,
    bars are many); within that stretch, ink is darker than its paper by a third of its
    contrast, and runs of ink closer than a few run widths belong to one code."""
    smooth = np.convolve(darkness, np.ones(3) / 3, mode="same")
    base = np.asarray(cv2.GaussianBlur(smooth.reshape(1, -1), (0, 0), 8.0)).ravel()
    busy = np.convolve(np.abs(smooth - base), np.ones(15) / 15, mode="same")
    active = np.flatnonzero(busy > 0.3 * busy.max())
    if len(active) == 0:
        return None
    a, b = max(0, int(active[0]) - 8), min(len(smooth), int(active[-1]) + 9)
    lo, hi = np.percentile(smooth[a:b], [3, 97])
    if hi - lo < 6:
        return None
    ink = np.zeros(len(smooth) + 2, dtype=bool)
    ink[a + 1 : b + 1] = smooth[a:b] > lo + 0.3 * (hi - lo)
    changes = np.flatnonzero(ink[1:] != ink[:-1])
    starts, ends = changes[0::2], changes[1::2]
    if len(starts) < 6:
        return None
    gap_max = max(8.0, 3.0 * float(np.median(ends - starts)))
    breaks = np.flatnonzero(starts[1:] - ends[:-1] > gap_max)
    first = np.concatenate([[0], breaks + 1])
    last = np.concatenate([breaks, [len(starts) - 1]])
    spans = ends[last] - starts[first]
    best = int(np.argmax(spans))
    return float(starts[first[best]]), float(ends[last[best]])
