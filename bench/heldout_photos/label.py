"""Printed barcode patch: bars, quiet zones, human-readable digits, ink spread.

Everything here is in *reflectance* (float32 BGR in 0..1) at ``tm`` texture
pixels per module, before the patch is placed on a package and photographed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from bench.heldout_photos.gs1 import Symbol

Image = NDArray[np.float32]
Colour = tuple[float, float, float]


@dataclass(frozen=True)
class Print:
    """How one symbol is printed."""

    tm: int  # texture pixels per module
    ink: Colour  # BGR reflectance of the bars
    paper: Colour  # BGR reflectance of the background
    gain: float  # bar-width growth in modules (ink spread > 0, thin bars < 0)
    bar_height: float  # height of normal bars in modules
    quiet_scale: float  # 1.0 = GS1 minimum quiet zone; < 1 = graphics print too close
    hri: bool  # human-readable digits under the bars


def _runs(modules: str) -> list[tuple[int, int]]:
    """(start, stop) module indices of each bar."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i, m in enumerate(modules + "0"):
        if m == "1" and start < 0:
            start = i
        elif m == "0" and start >= 0:
            runs.append((start, i))
            start = -1
    return runs


def _coverage(width: int, x0: float, x1: float) -> NDArray[np.float32]:
    """Per-column ink coverage of the span [x0, x1) in pixels (anti-aliased edges)."""
    cols = np.arange(width, dtype=np.float32)
    return f32(np.clip(np.minimum(cols + 1, x1) - np.maximum(cols, x0), 0.0, 1.0))


def bar_mask(symbol: Symbol, pr: Print, left_px: float, width: int, height: int) -> Image:
    """Ink coverage (0..1) of the bars alone, bars starting at ``left_px``."""
    tm = pr.tm
    normal_h = pr.bar_height * tm
    guard_h = normal_h + (5.0 * tm if pr.hri else 0.0)
    mask = np.zeros((height, width), np.float32)
    grow = pr.gain * tm / 2.0
    for start, stop in _runs(symbol.modules):
        x0 = left_px + start * tm - grow
        x1 = left_px + stop * tm + grow
        col = _coverage(width, x0, x1)
        lo, hi = max(0, int(np.floor(x0)) - 1), min(width, int(np.ceil(x1)) + 1)
        long_bar = any(i in symbol.guard_modules for i in range(start, stop))
        h = round(guard_h if long_bar else normal_h)
        mask[:h, lo:hi] = np.maximum(mask[:h, lo:hi], col[lo:hi])
    return mask


def _draw_digits(mask: Image, symbol: Symbol, pr: Print, left_px: float) -> None:
    tm = pr.tm
    top = pr.bar_height * tm + 1.0 * tm
    for text, centre, size in symbol.hri:
        digit_h = 7.5 * tm * size
        scale = digit_h / 22.0  # Hershey simplex digits are ~22 px tall at scale 1
        thickness = max(1, round(tm * 0.9 * size))
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        x = round(left_px + centre * tm - tw / 2)
        y = round(top + th)
        if size < 1.0:  # small UPC digits sit level with the bar bottoms
            y = round(pr.bar_height * tm + th / 2)
        put_text(mask, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)


def render_patch(symbol: Symbol, pr: Print, rng: random.Random) -> tuple[Image, float, float]:
    """The printed label patch, and the (x, y) of the bars' centre inside it."""
    tm = pr.tm
    n = len(symbol.modules)
    ql = symbol.quiet_left * pr.quiet_scale
    qr = symbol.quiet_right * pr.quiet_scale
    margin = 2.0 if pr.quiet_scale < 1.0 else rng.uniform(2.0, 8.0)
    left_px = (ql + margin) * tm
    width = int(np.ceil((ql + n + qr + 2 * margin) * tm))
    below = 10.0 if pr.hri else 2.0
    top_margin = rng.uniform(2.0, 6.0) * tm
    height = int(np.ceil(top_margin + (pr.bar_height + below + 2.0) * tm))
    mask = np.zeros((height, width), np.float32)
    bars = bar_mask(symbol, pr, left_px, width, height - int(top_margin))
    mask[int(top_margin) :, :] = bars
    if pr.hri:
        sub = mask[int(top_margin) :, :]
        _draw_digits(sub, symbol, pr, left_px)
    patch = paint(mask, pr.ink, pr.paper, rng)
    cx = left_px + n * tm / 2.0
    cy = top_margin + pr.bar_height * tm / 2.0
    return patch, cx, cy


def paint(mask: Image, ink: Colour, paper: Colour, rng: random.Random) -> Image:
    """Colour an ink-coverage mask, with a little ink mottling and paper grain."""
    h, w = mask.shape
    nrng = np.random.default_rng(rng.getrandbits(32))
    grain = nrng.normal(0.0, rng.uniform(0.005, 0.03), (h, w)).astype(np.float32)
    grain = f32(cv2.GaussianBlur(grain, (0, 0), 1.2))
    out = np.empty((h, w, 3), np.float32)
    for c in range(3):
        out[:, :, c] = paper[c] * (1.0 - mask) + ink[c] * mask + grain
    return np.clip(out, 0.0, 1.0)


INKS: dict[str, Colour] = {
    "black": (0.04, 0.04, 0.05),
    "dark_blue": (0.35, 0.12, 0.06),
    "brown": (0.06, 0.14, 0.26),
    "dark_green": (0.10, 0.22, 0.06),
    "navy": (0.28, 0.10, 0.10),
}
PAPERS: dict[str, Colour] = {
    "white": (0.86, 0.88, 0.88),
    "cream": (0.70, 0.84, 0.90),
    "yellow": (0.15, 0.80, 0.90),
    "light_blue": (0.88, 0.78, 0.62),
    "kraft": (0.42, 0.55, 0.66),
    "silver": (0.66, 0.66, 0.64),
}


def choose_colours(rng: random.Random, coloured: bool, low_contrast: bool) -> tuple[Colour, Colour]:
    """Ink and paper colours; ``coloured`` picks non-black-on-white."""
    if coloured:
        ink = INKS[rng.choice(["dark_blue", "brown", "dark_green", "navy", "black"])]
        paper = PAPERS[rng.choice(["cream", "yellow", "light_blue", "kraft", "silver", "white"])]
    else:
        ink, paper = INKS["black"], PAPERS["white"]
    if low_contrast:
        ink = lerp(ink, paper, rng.uniform(0.25, 0.45))  # faded or thin ink: bars come out grey
        paper = lerp(paper, (0.0, 0.0, 0.0), rng.uniform(0.05, 0.25))
    return ink, paper


def f32(a: object) -> Image:
    """``a`` as a float32 array (OpenCV's stubs type results loosely)."""
    return np.asarray(a, dtype=np.float32)


def lerp(a: Colour, b: Colour, t: float) -> Colour:
    """Mix two colours: ``t`` = 0 gives ``a``, 1 gives ``b``."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def text_alpha(
    shape: tuple[int, ...], text: str, org: tuple[int, int], font: int, scale: float, thick: int
) -> tuple[NDArray[np.float32], int, int] | None:
    """Anti-aliased coverage of ``text`` (OpenCV draws text on 8-bit images only), cropped.

    Returns the coverage crop and its top-left (y, x) inside an image of ``shape``.
    """
    (tw, th), base = cv2.getTextSize(text, font, scale, thick)
    pad = thick + 2
    y0, x0 = max(0, org[1] - th - pad), max(0, org[0] - pad)
    y1, x1 = min(shape[0], org[1] + base + pad), min(shape[1], org[0] + tw + pad)
    if y1 <= y0 or x1 <= x0:
        return None
    tmp = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.putText(tmp, text, (org[0] - x0, org[1] - y0), font, scale, 255, thick, cv2.LINE_AA)
    return tmp.astype(np.float32) / 255.0, y0, x0


def put_text(
    mask: Image, text: str, org: tuple[int, int], font: int, scale: float, thick: int
) -> None:
    """Draw ``text`` into a 2-D coverage mask."""
    got = text_alpha(mask.shape, text, org, font, scale, thick)
    if got is not None:
        alpha, y0, x0 = got
        region = mask[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]]
        np.maximum(region, alpha, out=region)
