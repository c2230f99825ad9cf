"""What a cheap kiosk camera adds: a finger in the way, defocus, motion, low light, noise, JPEG."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bench.scanphotos.faces import Image


@dataclass(frozen=True)
class Optics:
    """Damage after the scene is lit; each field drawn independently (0 / False = off)."""

    finger: bool
    defocus_sigma: float
    motion_px: float
    motion_deg: float
    light_gain: float  # 1 = well lit; low light is gain < 0.5, then amplified back
    read_noise: float
    jpeg_quality: int


def add_finger(img: Image, rng: random.Random, target: tuple[float, float], reach: float) -> None:
    """A shaded, skin-coloured finger from a frame edge whose tip ends near ``target``."""
    h, w = img.shape[:2]
    angle = rng.uniform(0, 2 * math.pi)
    # The tip stops over the code's outer part: a thumb holding the pack, not a hand over it.
    stop = rng.uniform(0.45, 1.0) * reach
    tip = (target[0] + math.cos(angle) * stop, target[1] + math.sin(angle) * stop)
    far = (tip[0] + math.cos(angle) * 2 * (w + h), tip[1] + math.sin(angle) * 2 * (w + h))
    width = max(6, int(rng.uniform(0.5, 0.9) * reach))
    skin = np.array(
        [rng.randint(90, 170), rng.randint(120, 190), rng.randint(170, 240)], np.float32
    )
    mask = np.zeros((h, w), np.uint8)
    p0 = (int(tip[0]), int(tip[1]))
    p1 = (int(far[0]), int(far[1]))
    cv2.line(mask, p0, p1, 255, width)
    cv2.circle(mask, p0, width // 2, 255, -1)
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    rounding = np.clip(dist / max(1.0, width / 2.0), 0, 1) ** 0.5  # darker at the finger's sides
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 1.5)
    finger = skin[None, None, :] * (0.55 + 0.45 * rounding[..., None])
    out = img.astype(np.float32) * (1 - soft[..., None]) + finger * soft[..., None]
    img[:] = np.clip(out, 0, 255).astype(np.uint8)


def _motion_kernel(length: float, degrees: float) -> npt.NDArray[np.float32]:
    size = math.ceil(length) | 1
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    steps = max(2, int(length * 4))
    for i in range(steps):
        t = (i / (steps - 1) - 0.5) * length
        kernel[round(c + t * dy), round(c + t * dx)] += 1
    return np.asarray(kernel / kernel.sum(), np.float32)


def expose(img: Image, optics: Optics, rng: random.Random) -> Image:
    """Blur, expose, add sensor noise and compress: the frame as the decoder receives it."""
    out = img.astype(np.float32)
    if optics.defocus_sigma > 0:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), optics.defocus_sigma), np.float32)
    if optics.motion_px >= 1.5:
        kernel = _motion_kernel(optics.motion_px, optics.motion_deg)
        out = np.asarray(cv2.filter2D(out, -1, kernel), np.float32)
    nrng = np.random.default_rng(rng.randrange(2**32))
    signal = out * optics.light_gain
    # Shot noise (variance ∝ signal) and read noise, as one Gaussian of the summed variance.
    sigma = np.sqrt(signal * 0.6 + optics.read_noise**2)
    noise = nrng.standard_normal(out.shape, dtype=np.float32) * sigma
    gain = min(1.0 / optics.light_gain, 3.0)  # auto-exposure lifts a dark frame, and its noise
    out = np.clip((signal + noise) * gain, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, optics.jpeg_quality])
    assert ok
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), np.uint8)
