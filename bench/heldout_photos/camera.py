"""Light in the scene (uneven light, glare, shrink wrap, a finger) and the camera that sees it.

Scene functions work on the supersampled linear-radiance canvas; ``expose`` turns
the final-size radiance into an 8-bit BGR frame: optics blur, sensor noise,
auto-gain, tone curve, ISP sharpening and JPEG.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from numpy.typing import NDArray

from bench.heldout_photos.label import Image, f32

Mask = NDArray[np.float32]


def uneven_light(img: Image, rng: random.Random) -> None:
    """Multiply by a gradient, vignetting and sometimes a soft shadow band."""
    h, w = img.shape[:2]
    hs, ws = h // 8, w // 8  # the field is smooth: compute it small, then enlarge
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = ((xx / ws - 0.5) * math.cos(a) + (yy / hs - 0.5) * math.sin(a)) * rng.uniform(0.5, 1.2)
    field = 1.0 + ramp
    r2 = ((xx / ws - 0.5) ** 2 + (yy / hs - 0.5) ** 2) * 4
    field *= 1.0 - rng.uniform(0.1, 0.5) * r2
    if rng.random() < 0.5:
        b = rng.uniform(0, 2 * math.pi)
        x0, y0 = ws * rng.uniform(0.3, 0.7), hs * rng.uniform(0.3, 0.7)
        d = (xx - x0) * math.cos(b) + (yy - y0) * math.sin(b)
        edge = rng.uniform(0.4, 6.0)
        field *= 1.0 - rng.uniform(0.3, 0.7) / (1.0 + np.exp(np.clip(-d / edge, -50, 50)))
    field = f32(cv2.resize(np.clip(field, 0.15, 1.6), (w, h), interpolation=cv2.INTER_LINEAR))
    img *= field[:, :, None]


def glare(img: Image, rng: random.Random, near: tuple[float, float], size: float, on: Mask) -> None:
    """Specular highlights on the package: bright soft ellipses that can wash out the bars."""
    h, w = img.shape[:2]
    for _ in range(rng.randint(1, 3)):
        cx = near[0] + rng.uniform(-0.7, 0.7) * size
        cy = near[1] + rng.uniform(-0.5, 0.5) * size
        sx = size * rng.uniform(0.05, 0.35)
        sy = sx * rng.uniform(0.3, 1.5)
        a = rng.uniform(0, math.pi)
        power = rng.uniform(1.0, 2.5)
        peak = rng.uniform(0.6, 3.0)
        reach = 3.0 * max(sx, sy)
        x0, x1 = max(0, int(cx - reach)), min(w, int(cx + reach) + 1)
        y0, y1 = max(0, int(cy - reach)), min(h, int(cy + reach) + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        u = (xx - cx) * math.cos(a) + (yy - cy) * math.sin(a)
        v = -(xx - cx) * math.sin(a) + (yy - cy) * math.cos(a)
        blob = np.exp(-(((u / sx) ** 2 + (v / sy) ** 2) ** power))
        img[y0:y1, x0:x1] += (peak * blob * on[y0:y1, x0:x1])[:, :, None]


def shrink_wrap(img: Image, rng: random.Random, on: Mask) -> None:
    """Plastic film over the package: a milky veil plus soft, crinkled reflections."""
    h, w = img.shape[:2]
    px = w / 1280
    veil = rng.uniform(0.02, 0.12)
    img *= (1.0 - on * rng.uniform(0.05, 0.2))[:, :, None]
    streaks = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(2, 6)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        a = rng.uniform(0, 2 * math.pi)
        pts = [(x, y)]
        for _ in range(rng.randint(3, 10)):
            a += rng.uniform(-0.8, 0.8)
            step = rng.uniform(20, 120) * px
            x, y = x + step * math.cos(a), y + step * math.sin(a)
            pts.append((x, y))
        thick = max(1, int(rng.uniform(4, 40) * px))
        poly = np.array(pts, np.int32).reshape(-1, 1, 2)
        cv2.polylines(streaks, [poly], False, rng.uniform(0.15, 1.0), thick, cv2.LINE_AA)
    streaks = f32(cv2.GaussianBlur(streaks, (0, 0), rng.uniform(2.0, 10.0) * px))
    img += ((streaks + veil) * on)[:, :, None]


def finger(img: Image, rng: random.Random, target: tuple[float, float], reach: float) -> None:
    """A finger (sometimes two) coming in from outside, its tip near ``target``."""
    h, w = img.shape[:2]
    red = rng.uniform(0.25, 0.9)
    green = red * rng.uniform(0.6, 0.8)
    skin = np.array([green * rng.uniform(0.7, 0.9), green, red])
    a = rng.uniform(0, 2 * math.pi)
    width = rng.uniform(45, 110) * (w / 1280)
    for k in range(rng.choice([1, 1, 2])):
        off = k * width * 1.05
        tip = (
            target[0] + rng.uniform(-1.0, 1.0) * reach - off * math.sin(a),
            target[1] + rng.uniform(-0.6, 0.6) * reach + off * math.cos(a),
        )
        end = (tip[0] + 3 * w * math.cos(a), tip[1] + 3 * w * math.sin(a))
        mask = np.zeros((h, w), np.float32)
        cv2.line(mask, _pt(tip), _pt(end), 1.0, int(width), cv2.LINE_AA)
        cv2.circle(mask, _pt(tip), int(width / 2), 1.0, -1, cv2.LINE_AA)
        core = f32(
            cv2.GaussianBlur(mask, (0, 0), width / 4)
        )  # rounded shading, bright in the middle
        mask = f32(cv2.GaussianBlur(mask, (0, 0), rng.uniform(1.0, 6.0) * (w / 1280)))
        shade = (0.4 + 0.6 * core)[:, :, None] * skin[None, None, :].astype(np.float32)
        img *= 1.0 - mask[:, :, None]
        img += mask[:, :, None] * shade


def _pt(p: tuple[float, float]) -> tuple[int, int]:
    return (round(p[0]), round(p[1]))


def defocus(img: Image, radius: float) -> Image:
    """Pillbox (disk) point-spread function of a lens out of focus."""
    r = math.ceil(radius) + 1
    size = 2 * r + 1
    big = 8
    disk = np.zeros((size * big, size * big), np.float32)
    cv2.circle(disk, (size * big // 2, size * big // 2), int(radius * big), 1.0, -1, cv2.LINE_AA)
    kernel = f32(cv2.resize(disk, (size, size), interpolation=cv2.INTER_AREA))
    kernel /= float(kernel.sum())
    return np.asarray(cv2.filter2D(img, -1, kernel), dtype=np.float32)


def motion(img: Image, length: float, angle_deg: float) -> Image:
    """Linear motion blur of ``length`` pixels."""
    size = math.ceil(length) | 1
    size = max(3, size + 2)
    big = 8
    line = np.zeros((size * big, size * big), np.float32)
    c = size * big / 2
    dx = math.cos(math.radians(angle_deg)) * length * big / 2
    dy = math.sin(math.radians(angle_deg)) * length * big / 2
    cv2.line(line, _pt((c - dx, c - dy)), _pt((c + dx, c + dy)), 1.0, big, cv2.LINE_AA)
    kernel = f32(cv2.resize(line, (size, size), interpolation=cv2.INTER_AREA))
    kernel /= float(kernel.sum())
    return np.asarray(cv2.filter2D(img, -1, kernel), dtype=np.float32)


def expose(
    img: Image, rng: random.Random, exposure: float, max_gain: float, sharpen: float, quality: int
) -> NDArray[np.uint8]:
    """Sensor: shot and read noise, auto-gain to a mid-grey mean, gamma, sharpening, JPEG."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    full_well = rng.uniform(2500.0, 6000.0)
    electrons = np.clip(img * exposure, 0.0, 1.0) * full_well
    read_noise = rng.uniform(2.0, 8.0)
    sigma = np.sqrt(electrons + read_noise**2)
    electrons = electrons + nrng.standard_normal(img.shape, dtype=np.float32) * sigma
    signal = electrons / full_well
    mean = float(np.clip(signal, 0.0, 1.0).mean()) + 1e-4
    gain = min(max_gain, max(0.6, rng.uniform(0.16, 0.24) / mean))
    out = np.clip(signal * gain, 0.0, 1.0) ** (1.0 / 2.2)
    if sharpen > 0:
        soft = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.8, 1.8))
        out = np.clip(out + sharpen * (out - soft), 0.0, 1.0)
    frame = (out * 255.0 + 0.5).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)
