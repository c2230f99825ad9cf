"""Rendered barcodes and camera frames for tests, benchmarks and simulators; nothing downloaded.

zxing-cpp writes the symbols; OpenCV places them on a cluttered 1280×720 background as a
white label under a random homography and applies the damage of a class (rotation,
darkness, blur, glare, small size). Frames are produced one at a time from a seed so a
500-frame corpus never sits in memory.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
SymbolKind = Literal["ean13", "upca", "ean8", "gs1_datamatrix", "gs1_digital_link"]
FRAME_CLASSES: tuple[str, ...] = (
    "clean",
    "rot30",
    "rot45",
    "rot90",
    "dark",
    "blurred",
    "glare",
    "small",
)
_KIND_WEIGHTS: tuple[tuple[SymbolKind, float], ...] = (
    ("ean13", 0.55),
    ("upca", 0.15),
    ("ean8", 0.10),
    ("gs1_datamatrix", 0.10),
    ("gs1_digital_link", 0.10),
)


def check_digit(payload: str) -> str:
    """GS1 mod-10 check digit of a numeric payload."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def with_check_digit(payload: str) -> str:
    return payload + check_digit(payload)


@dataclass(frozen=True)
class Label:
    """What a rendered symbol encodes and the GTIN-14 a correct scan must yield."""

    kind: SymbolKind
    content: str
    gtin: str


def random_label(rng: random.Random, kind: SymbolKind | None = None) -> Label:
    """A random valid product symbol (prefix 0-1 and 3-9: no RCN, no payment code)."""
    if kind is None:
        kind = rng.choices([k for k, _ in _KIND_WEIGHTS], [w for _, w in _KIND_WEIGHTS])[0]
    first = rng.choice("13456789")
    if kind == "ean8":
        code = with_check_digit(first + "".join(rng.choice("0123456789") for _ in range(6)))
        return Label(kind, code, "000000" + code)
    if kind == "upca":
        code = with_check_digit(first + "".join(rng.choice("0123456789") for _ in range(10)))
        return Label(kind, code, "00" + code)
    gtin13 = with_check_digit(first + "".join(rng.choice("0123456789") for _ in range(11)))
    gtin14 = "0" + gtin13
    expiry = f"{rng.randint(20, 35):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    if kind == "gs1_datamatrix":
        lot = "".join(rng.choice("ABCDEFGH0123456789") for _ in range(6))
        return Label(kind, f"(01){gtin14}(17){expiry}(10){lot}", gtin14)
    if kind == "gs1_digital_link":
        return Label(kind, f"https://id.gs1.org/01/{gtin14}?17={expiry}", gtin14)
    return Label(kind, gtin13, gtin14)


def render_symbol(label: Label, module_px: int = 1) -> Frame:
    """The bare symbol (black on white, quiet zone included) as an 8-bit grayscale image."""
    import zxingcpp

    fmt, options = {
        "ean13": (zxingcpp.BarcodeFormat.EAN13, {}),
        "upca": (zxingcpp.BarcodeFormat.UPCA, {}),
        "ean8": (zxingcpp.BarcodeFormat.EAN8, {}),
        "gs1_datamatrix": (zxingcpp.BarcodeFormat.DataMatrix, {"gs1": True}),
        "gs1_digital_link": (zxingcpp.BarcodeFormat.QRCode, {}),
    }[label.kind]
    barcode = zxingcpp.create_barcode(label.content, fmt, **options)
    image = np.asarray(barcode.to_image(scale=module_px), dtype=np.uint8)
    if label.kind in ("ean13", "upca", "ean8"):
        # 1D symbols come out 50 px tall at scale 1; real labels are ~0.3× their width.
        height = max(image.shape[0], int(image.shape[1] * 0.35))
        resized = cv2.resize(image, (image.shape[1], height), interpolation=cv2.INTER_NEAREST)
        image = np.asarray(resized, dtype=np.uint8)
    return np.ascontiguousarray(image)


def background(rng: random.Random, width: int = 1280, height: int = 720) -> Frame:
    """A cluttered BGR scene: a lit gradient, coloured boxes and lines, sensor noise."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    xs = np.linspace(0, 1, width, dtype=np.float32)
    ys = np.linspace(0, 1, height, dtype=np.float32)
    grad = 90 + 70 * np.outer(ys, np.ones_like(xs)) * rng.random() + 50 * xs[None, :] * rng.random()
    img = np.repeat(grad[:, :, None], 3, axis=2)
    for _ in range(rng.randint(6, 14)):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(40, 400), rng.randint(40, 300)
        colour = tuple(rng.randint(20, 230) for _ in range(3))
        cv2.rectangle(img, (x, y), (x + w, y + h), colour, -1)
    for _ in range(rng.randint(3, 8)):
        p1 = (rng.randrange(width), rng.randrange(height))
        p2 = (rng.randrange(width), rng.randrange(height))
        cv2.line(img, p1, p2, tuple(rng.randint(0, 255) for _ in range(3)), rng.randint(1, 4))
    img += nrng.normal(0, 3, img.shape).astype(np.float32)
    return np.asarray(np.clip(img, 0, 255), dtype=np.uint8)


def place(
    symbol: Frame,
    scene: Frame,
    rng: random.Random,
    *,
    module_px: float,
    angle_deg: float,
    centre: tuple[float, float] | None = None,
) -> Frame:
    """Put ``symbol`` on a white label in ``scene`` at ``module_px``, rotated, in perspective."""
    h, w = symbol.shape
    pad = 6
    label = np.full((h + 2 * pad, w + 2 * pad), 250, np.uint8)
    label[pad : pad + h, pad : pad + w] = symbol
    lh, lw = label.shape
    sh, sw = scene.shape[:2]
    if centre is None:
        half = 0.5 * module_px * math.hypot(lw, lh) + 4
        cx = rng.uniform(min(half, sw / 2), max(sw - half, sw / 2))
        cy = rng.uniform(min(half, sh / 2), max(sh - half, sh / 2))
    else:
        cx, cy = centre
    a = math.radians(angle_deg)
    rot = np.array(
        [[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0.0, 0.0, 1.0]]
    )
    to_origin = np.array([[1.0, 0, -lw / 2], [0, 1.0, -lh / 2], [0, 0, 1.0]])
    scale = np.diag([module_px, module_px, 1.0])
    tilt = np.array(
        [[1.0, 0, 0], [0, 1.0, 0], [rng.uniform(-1e-4, 1e-4), rng.uniform(-1e-4, 1e-4), 1.0]]
    )
    move = np.array([[1.0, 0, cx], [0, 1.0, cy], [0, 0, 1.0]])
    homography = move @ tilt @ rot @ scale @ to_origin
    corners = np.array([[0, 0, 1], [lw, 0, 1], [lw, lh, 1], [0, lh, 1]], float).T
    projected = homography @ corners
    xs, ys = projected[0] / projected[2], projected[1] / projected[2]
    x0, y0 = max(int(xs.min()) - 2, 0), max(int(ys.min()) - 2, 0)
    x1, y1 = min(int(xs.max()) + 3, sw), min(int(ys.max()) + 3, sh)
    if x1 <= x0 or y1 <= y0:
        return scene.copy()
    shift = np.array([[1.0, 0, -x0], [0, 1.0, -y0], [0, 0, 1.0]]) @ homography
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(label, shift, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full_like(label, 255), shift, size)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    tint = np.array([rng.uniform(0.85, 1.0) for _ in range(3)], np.float32)
    out = scene.copy()
    patch = out[y0:y1, x0:x1].astype(np.float32)
    patch = patch * (1 - alpha) + warped[:, :, None].astype(np.float32) * tint * alpha
    out[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
    return out


def _noise(shape: tuple[int, ...], sigma: float, rng: random.Random) -> npt.NDArray[np.int16]:
    cv2.setRNGSeed(rng.getrandbits(31))
    noise = np.empty(shape, np.int16)
    randn: Any = cv2.randn
    randn(noise, 0, sigma)
    return noise


def damage(
    frame: Frame, frame_class: str, rng: random.Random, centre: tuple[float, float]
) -> Frame:
    """Apply the damage of ``frame_class`` (the rotation and size ones act in :func:`place`)."""
    img: Any = frame
    if frame_class == "dark":
        gain, offset = rng.uniform(0.06, 0.12), rng.uniform(2, 6)
        img = cv2.convertScaleAbs(img, alpha=gain, beta=offset)
    elif frame_class == "blurred":
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.4, 1.6))
    elif frame_class == "glare":
        h, w = img.shape[:2]
        radius = rng.uniform(50, 90)
        gx = int(centre[0] + rng.uniform(-120, 120))
        gy = int(centre[1] + rng.uniform(-60, 60))
        disc = np.zeros((h, w), np.float32)
        cv2.circle(disc, (gx, gy), int(radius), 1.0, -1)
        blob = np.asarray(cv2.GaussianBlur(disc, (0, 0), radius / 2), dtype=np.float32)
        light = (blob * rng.uniform(140, 200)).astype(np.uint8)
        img = cv2.add(img, cv2.merge([light, light, light]))
    sigma = 1.0 if frame_class == "dark" else 2.0
    noisy = np.asarray(img, dtype=np.int16) + _noise(img.shape, sigma, rng)
    return np.asarray(np.clip(noisy, 0, 255), dtype=np.uint8)


def class_geometry(frame_class: str, rng: random.Random) -> tuple[float, float]:
    """(module size in px, angle in degrees) for a class."""
    sign = rng.choice((-1, 1))
    if frame_class == "rot30":
        return rng.uniform(2.5, 3.2), sign * rng.uniform(28, 32)
    if frame_class == "rot45":
        return rng.uniform(2.5, 3.2), sign * rng.uniform(43, 47)
    if frame_class == "rot90":
        return rng.uniform(2.5, 3.2), sign * rng.uniform(87, 93)
    if frame_class == "small":
        return rng.uniform(1.2, 1.5), rng.uniform(-6, 6)
    if frame_class == "blurred":
        return rng.uniform(2.2, 2.6), rng.uniform(-6, 6)
    return rng.uniform(2.5, 3.5), rng.uniform(-8, 8)


def render_frame(
    label: Label,
    frame_class: str,
    rng: random.Random,
    scene: Frame | None = None,
    centre: tuple[float, float] | None = None,
) -> Frame:
    """One 1280×720 BGR camera frame showing ``label`` damaged as ``frame_class``."""
    if scene is None:
        scene = background(rng)
    module_px, angle = class_geometry(frame_class, rng)
    symbol = render_symbol(label)
    if centre is None:
        sh, sw = scene.shape[:2]
        centre = (sw / 2 + rng.uniform(-0.3, 0.3) * sw, sh / 2 + rng.uniform(-0.25, 0.25) * sh)
    frame = place(symbol, scene, rng, module_px=module_px, angle_deg=angle, centre=centre)
    return damage(frame, frame_class, rng, centre)


@dataclass(frozen=True)
class Sample:
    """One corpus frame: the truth (label, class) and which view (item in front of camera)."""

    view: int
    frame_class: str
    label: Label
    frame: Frame


def corpus(views_per_class: int, frames_per_view: int = 3, seed: int = 1) -> Iterator[Sample]:
    """Yield ``len(FRAME_CLASSES) × views_per_class × frames_per_view`` frames, lazily.

    A view is one item held in front of the camera for a few frames: same label and class,
    fresh jitter and noise each frame, as a shopper's hand moves.
    """
    rng = random.Random(seed)
    scenes = [background(rng) for _ in range(4)]
    view = 0
    for frame_class in FRAME_CLASSES:
        for _ in range(views_per_class):
            label = random_label(rng)
            scene = rng.choice(scenes)
            sh, sw = scene.shape[:2]
            centre = (sw / 2 + rng.uniform(-0.25, 0.25) * sw, sh / 2 + rng.uniform(-0.2, 0.2) * sh)
            for _ in range(frames_per_view):
                jitter = (centre[0] + rng.uniform(-8, 8), centre[1] + rng.uniform(-8, 8))
                frame = render_frame(label, frame_class, rng, scene=scene, centre=jitter)
                yield Sample(view, frame_class, label, frame)
            view += 1


def write_video(path: str, frames: list[Frame], fps: float = 15.0) -> None:
    """Write BGR frames to an MJPG .avi that :class:`edge.hardware.camera.OpenCvCamera` reads."""
    if not frames:
        raise ValueError("no frames")
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    try:
        if not writer.isOpened():
            raise OSError(f"cannot open a video writer on {path}")
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
