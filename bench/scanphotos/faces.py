"""Flat artwork: a package face with a printed symbol, decoy faces with none, and backgrounds.

Everything is drawn at a fixed scale of :data:`MODULE` texture pixels per module; the scene
projects it onto the camera. Colours and clutter are drawn per image from the caller's rng.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bench.scanphotos.symbols import Symbol

Image = npt.NDArray[np.uint8]
MODULE = 6
"""Texture pixels per module: fine enough to draw ±0.17-module ink spread."""


@dataclass(frozen=True)
class Face:
    """A package face (BGR) and where on it the symbol's centre is, in texture pixels."""

    image: Image
    centre: tuple[float, float]
    code_size: tuple[float, float]


def _colour(rng: random.Random, lo: int = 0, hi: int = 255) -> tuple[int, int, int]:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _words(rng: random.Random, n: int) -> str:
    letters = string.ascii_uppercase + string.digits + "  "
    return "".join(rng.choice(letters) for _ in range(n)).strip() or "NET WT"


def print_clutter(img: Image, rng: random.Random, items: int) -> None:
    """Package print: blocks, discs, rules and lines of text in random colours."""
    h, w = img.shape[:2]
    for _ in range(items):
        kind = rng.random()
        colour = _colour(rng)
        x, y = rng.randint(0, w - 1), rng.randint(0, h - 1)
        if kind < 0.3:
            x2, y2 = x + rng.randint(10, w // 3 + 11), y + rng.randint(10, h // 3 + 11)
            cv2.rectangle(img, (x, y), (x2, y2), colour, -1)
        elif kind < 0.5:
            cv2.circle(img, (x, y), rng.randint(8, max(9, w // 6)), colour, -1)
        elif kind < 0.6:
            cv2.line(img, (x, y), (rng.randint(0, w), rng.randint(0, h)), colour, rng.randint(1, 6))
        else:
            scale = rng.uniform(0.6, 3.0)
            text = _words(rng, rng.randint(3, 14))
            cv2.putText(
                img, text, (x, y), rng.choice((0, 1, 2, 3, 4)), scale, colour, rng.randint(1, 5)
            )


def draw_symbol(symbol: Symbol, rng: random.Random, bar_height_modules: float) -> Image:
    """The symbol on its label: quiet zones, bars with ink spread, digits underneath (gray)."""
    left, right = symbol.quiet
    width = (left + len(symbol.modules) + right) * MODULE
    bar_h = int(bar_height_modules * MODULE)
    text_h = 9 * MODULE
    label = np.full((bar_h + text_h + 4 * MODULE, width), 255, np.uint8)
    spread = rng.randint(-1, 1)  # ink gain or loss, texture pixels per bar edge
    x0, y0 = left * MODULE, 2 * MODULE
    runs: list[tuple[int, int]] = []
    start = None
    for i, m in enumerate(symbol.modules + "0"):
        if m == "1" and start is None:
            start = i
        elif m == "0" and start is not None:
            runs.append((start, i))
            start = None
    for a, b in runs:
        xa, xb = x0 + a * MODULE - spread, x0 + b * MODULE + spread
        label[y0 : y0 + bar_h, xa:xb] = 0
    # Guard bars run longer in EAN/UPC; the digits sit beside and under them.
    font_scale = text_h / 30.0
    cv2.putText(
        label,
        symbol.digits,
        (x0, y0 + bar_h + text_h - MODULE),
        cv2.FONT_HERSHEY_SIMPLEX,
        font_scale * 0.9 * len(symbol.modules) / (len(symbol.digits) * 9),
        0,
        max(1, MODULE // 2),
    )
    return label


def symbol_face(symbol: Symbol, rng: random.Random) -> Face:
    """A package face with ``symbol`` printed on a light patch somewhere on it."""
    bar_modules = rng.uniform(22.0, 70.0)  # truncated codes are common on small packs
    label = draw_symbol(symbol, rng, bar_modules)
    lh, lw = label.shape
    face_w = int(lw * rng.uniform(1.5, 3.0))
    face_h = int(max(lh * rng.uniform(1.6, 3.5), face_w * rng.uniform(0.5, 1.2)))
    face = np.empty((face_h, face_w, 3), np.uint8)
    face[:] = _colour(rng)
    print_clutter(face, rng, rng.randint(6, 20))
    ink = np.array(_colour(rng, 0, 70), np.float32)
    paper = np.array(_colour(rng, 200, 255), np.float32)
    x = rng.randint(0, face_w - lw)
    y = rng.randint(0, face_h - lh)
    t = label.astype(np.float32)[..., None] / 255.0
    face[y : y + lh, x : x + lw] = (ink + (paper - ink) * t).astype(np.uint8)
    code_h = bar_modules * MODULE
    centre = (x + lw / 2.0, y + 2 * MODULE + code_h / 2.0)
    return Face(face, centre, (float(len(symbol.modules) * MODULE), code_h))


def decoy_face(rng: random.Random, width: int) -> Face:
    """A face with no symbol: text, textures, stripes or a random bar pattern (not a code)."""
    height = int(width * rng.uniform(0.5, 1.3))
    face = np.empty((height, width, 3), np.uint8)
    face[:] = _colour(rng)
    print_clutter(face, rng, rng.randint(10, 30))
    choice = rng.random()
    cx, cy = width / 2.0, height / 2.0
    if choice < 0.4:  # bars of random widths: looks like a code, holds none
        pattern_w = rng.randint(width // 4, width // 2)
        x = int(cx - pattern_w / 2)
        y0, y1 = int(cy - height / 6), int(cy + height / 6)
        face[y0:y1, x : x + pattern_w] = 250
        pos = x + rng.randint(2, 12) * MODULE
        while pos < x + pattern_w - 4 * MODULE:
            bar = rng.randint(1, 4) * MODULE
            face[y0 + MODULE : y1 - MODULE, pos : pos + bar] = 20
            pos += bar + rng.randint(1, 4) * MODULE
    elif choice < 0.7:  # regular stripes or a grid
        step = rng.randint(2, 8) * MODULE
        for pos in range(0, width, step):
            cv2.line(face, (pos, 0), (pos, height), _colour(rng, 0, 90), max(1, step // 3))
        if rng.random() < 0.5:
            for pos in range(0, height, step):
                cv2.line(face, (0, pos), (width, pos), _colour(rng, 0, 90), max(1, step // 3))
    else:  # a paragraph of small text (ingredients, nutrition table)
        for line in range(rng.randint(5, 14)):
            y = int(height * 0.1 + line * rng.uniform(14, 24))
            text = _words(rng, rng.randint(12, 30))
            cv2.putText(face, text, (10, y), cv2.FONT_HERSHEY_PLAIN, 1.0, (20, 20, 20), 1)
    return Face(face, (cx, cy), (width / 2.0, height / 3.0))


def background(rng: random.Random, width: int, height: int) -> Image:
    """What is behind the package: a smooth coloured field with shapes and text, out of focus."""
    small = np.random.default_rng(rng.randrange(2**32)).integers(
        0, 256, (max(2, height // 80), max(2, width // 80), 3), dtype=np.uint8
    )
    field = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    grey = np.full_like(field, rng.randint(60, 200))
    img = np.ascontiguousarray(cv2.addWeighted(field, 0.35, grey, 0.65, 0), dtype=np.uint8)
    print_clutter(img, rng, rng.randint(4, 14))
    sigma = rng.uniform(1.0, 4.0)
    return np.asarray(cv2.GaussianBlur(img, (0, 0), sigma), dtype=np.uint8)
