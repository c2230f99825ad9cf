"""Package artwork: a printed face (colours, bands, text, shapes) holding a code patch.

The "none" class gets the same artwork with a decoy in the code's place: a shelf
price label, a bar-like texture, regular stripes or a block of small text.
"""

from __future__ import annotations

import colorsys
import random
from dataclasses import dataclass

import cv2
import numpy as np

from bench.heldout_photos.label import Colour, Image, lerp, paint, put_text, text_alpha

_SYLLABLES = ("ka", "lo", "mi", "ber", "ton", "sa", "vi", "ro", "nu", "fel", "da", "ix", "ora")
_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX)


@dataclass(frozen=True)
class Face:
    """A package face texture and where its code (or decoy) sits."""

    texture: Image
    centre: tuple[float, float]  # centre of the bars (or decoy) in texture pixels
    code_width: float  # width of the bars in texture pixels


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))


def _random_colour(rng: random.Random, light: float | None = None) -> Colour:
    h = rng.random()
    s = rng.uniform(0.2, 0.95)
    v = light if light is not None else rng.uniform(0.15, 0.95)
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (b, g, r)


def _text(img: Image, rng: random.Random, org: tuple[int, int], height: float, c: Colour) -> None:
    words = " ".join(_word(rng) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.4:
        words = words.upper()
    scale = max(0.3, height / 22.0)
    thick = max(1, int(height / 10))
    got = text_alpha(img.shape, words, org, rng.choice(_FONTS), scale, thick)
    if got is not None:
        alpha, y0, x0 = got
        region = img[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]]
        region *= 1.0 - alpha[:, :, None]
        region += alpha[:, :, None] * np.array(c, np.float32)


def _artwork(rng: random.Random, w: int, h: int) -> Image:
    """Base colour, bands, shapes and text of a package face."""
    base = _random_colour(rng)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    for _ in range(rng.randint(0, 3)):  # horizontal or vertical colour bands
        c = _random_colour(rng)
        a, b = sorted(rng.randint(0, h if rng.random() < 0.7 else w) for _ in range(2))
        if rng.random() < 0.7:
            img[a:b, :] = c
        else:
            img[:, a:b] = c
    for _ in range(rng.randint(0, 4)):  # circles and blobs
        centre = (rng.randint(0, w), rng.randint(0, h))
        radius = rng.randint(w // 20 + 1, w // 3 + 2)
        cv2.circle(img, centre, radius, _random_colour(rng), -1, cv2.LINE_AA)
    for _ in range(rng.randint(2, 12)):  # brand names, claims, small print
        height = rng.choice([w / 12, w / 25, w / 60, w / 90])
        org = (rng.randint(-w // 8, w - w // 6), rng.randint(int(height), h))
        colour = _random_colour(rng, rng.choice([0.05, 0.3, 0.95]))
        _text(img, rng, org, height, colour)
    return np.clip(img, 0.0, 1.0)


def _place(face: Image, patch: Image, x: int, y: int) -> None:
    ph, pw = patch.shape[:2]
    fh, fw = face.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(fw, x + pw), min(fh, y + ph)
    if x1 > x0 and y1 > y0:
        face[y0:y1, x0:x1] = patch[y0 - y : y1 - y, x0 - x : x1 - x]


def build_face(patch: Image, cx: float, cy: float, bars_w: float, rng: random.Random) -> Face:
    """Put ``patch`` (bars centred at ``cx``, ``cy``) on a package face of random artwork."""
    ph, pw = patch.shape[:2]
    k = rng.uniform(2.2, 6.0)
    w = int(min(2800, max(pw + 8, pw * k)))
    h = int(min(2800, max(ph + 8, w * rng.uniform(0.6, 1.3))))
    face = _artwork(rng, w, h)
    x = rng.randint(0, max(0, w - pw))
    y = rng.randint(0, max(0, h - ph))
    _place(face, patch, x, y)
    return Face(face, (x + cx, y + cy), bars_w)


def _price_label(rng: random.Random, tm: int) -> Image:
    w, h = int(70 * tm), int(rng.uniform(30, 45) * tm)
    paper = rng.choice([(0.9, 0.9, 0.9), (0.1, 0.85, 0.95), (0.2, 0.2, 0.85)])
    ink = (0.05, 0.05, 0.05)
    mask = np.zeros((h, w), np.float32)
    euros, cents = rng.randint(0, 49), rng.randint(0, 99)
    price = f"{euros},{cents:02d}" if rng.random() < 0.5 else f"${euros}.{cents:02d}"
    put_text(mask, price, (2 * tm, int(h * 0.75)), cv2.FONT_HERSHEY_DUPLEX, tm * 0.9, 2 * tm)
    small = tm * 0.18
    put_text(mask, _word(rng), (2 * tm, 6 * tm), cv2.FONT_HERSHEY_SIMPLEX, small, 1)
    code = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(4, 7)))
    put_text(mask, code, (2 * tm, h - tm), cv2.FONT_HERSHEY_SIMPLEX, small, 1)
    return paint(mask, ink, paper, rng)


def _bar_texture(rng: random.Random, tm: int, regular: bool) -> Image:
    """Bar-like decoys: random widths with no guard structure, or plain regular stripes."""
    n = rng.randint(40, 110)
    w, h = int((n + 20) * tm), int(rng.uniform(20, 60) * tm)
    mask = np.zeros((h, w), np.float32)
    x = 10.0 * tm
    period = rng.choice([1, 2, 3])
    while x < (n + 10) * tm:
        bar = period if regular else rng.choice([1, 1, 2, 3, 4])
        gap = period if regular else rng.choice([1, 1, 2, 3, 5])
        mask[:, int(x) : int(x + bar * tm)] = 1.0
        x += (bar + gap) * tm
    paper = rng.choice([(0.86, 0.88, 0.88), (0.15, 0.8, 0.9), (0.7, 0.84, 0.9)])
    return paint(mask, (0.05, 0.05, 0.08), paper, rng)


def _text_block(rng: random.Random, tm: int) -> Image:
    w, h = int(100 * tm), int(50 * tm)
    mask = np.zeros((h, w), np.float32)
    line = max(3, int(rng.uniform(2.5, 6) * tm))
    for y in range(line, h, int(line * 1.4)):
        words = " ".join(_word(rng) for _ in range(12))
        put_text(mask, words, (tm, y), cv2.FONT_HERSHEY_SIMPLEX, line / 22.0, 1)
    paper = lerp((0.9, 0.9, 0.9), _random_colour(rng, 0.9), rng.random())
    return paint(mask, (0.05, 0.05, 0.05), paper, rng)


def decoy_patch(rng: random.Random, tm: int) -> tuple[Image, str]:
    """A patch for the "none" class and the name of its kind."""
    kind = rng.choice(["price_label", "bar_texture", "stripes", "text_block", "artwork"])
    if kind == "price_label":
        return _price_label(rng, tm), kind
    if kind in ("bar_texture", "stripes"):
        return _bar_texture(rng, tm, regular=kind == "stripes"), kind
    if kind == "text_block":
        return _text_block(rng, tm), kind
    return _artwork(rng, int(90 * tm), int(60 * tm)), kind
