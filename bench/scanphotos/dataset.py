"""The held-out photo-like set: per image, independently drawn pose, light and camera damage.

Classes are the symbologies (ean13, ean8, upca, upce) and ``none`` (package text, textures,
stripes and bar-like patterns with no code). Every image is a pure function of (seed, class,
index), so a set is reproducible without being stored. Parameter ranges (each drawn
independently of the others; "p" = the share of images that have it):

- module width 1–3 px face-on at the code centre (uniform);
- tilt 0–45° about a random in-plane axis (uniform), any in-plane rotation;
- curvature (p 0.4): a can or bottle, the code spanning ±15–50° of arc, along the code
  (p 0.7) or along the bars;
- specular glare (p 0.3) on the code, 0.4–1.2× white at its peak (Phong exponent 60–400);
- finger (p 0.25) reaching from any side onto the code's outer part;
- defocus σ 0.3–0.9 px; motion blur (p 0.25) 1.5–5 px at any angle;
- low light (p 0.3): exposure 0.15–0.5 lifted by auto-gain (≤ 3×); shot + read noise always;
- JPEG quality 35–90.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from bench.scanphotos.camera import Optics, add_finger, expose
from bench.scanphotos.faces import MODULE, Image, background, decoy_face, symbol_face
from bench.scanphotos.scene import FOCAL_FRACTION, Pose, render
from bench.scanphotos.symbols import KINDS, random_symbol

CLASSES: tuple[str, ...] = (*KINDS, "none")
FRAME_W, FRAME_H = 1280, 720


@dataclass(frozen=True)
class Photo:
    """One image with its truth (``gtin14`` None for ``none``) and the parameters drawn."""

    cls: str
    index: int
    seed: int
    image: Image
    gtin14: str | None
    digits: str | None
    pose: Pose
    optics: Optics

    def conditions(self) -> dict[str, bool]:
        """The hard conditions this image has, for the per-condition breakdown."""
        p, o = self.pose, self.optics
        return {
            "curved": p.curvature_deg > 0,
            "tilt>30": p.tilt_deg > 30,
            "module<1.5px": p.module_px < 1.5,
            "glare": p.glare > 0,
            "finger": o.finger,
            "motion": o.motion_px >= 1.5,
            "low_light": o.light_gain < 0.5,
            "jpeg<50": o.jpeg_quality < 50,
        }

    def params(self) -> dict[str, object]:
        return {"pose": asdict(self.pose), "optics": asdict(self.optics)}


def _pose(rng: random.Random) -> Pose:
    curved = rng.random() < 0.4
    glare = rng.random() < 0.3
    return Pose(
        module_px=rng.uniform(1.0, 3.0),
        tilt_deg=rng.uniform(0.0, 45.0),
        tilt_azimuth_deg=rng.uniform(0.0, 360.0),
        roll_deg=rng.uniform(-180.0, 180.0),
        curvature_deg=rng.uniform(15.0, 50.0) if curved else 0.0,
        curved_along_code=rng.random() < 0.7,
        offset=(rng.uniform(-0.2, 0.2), rng.uniform(-0.15, 0.15)),
        ambient=rng.uniform(0.75, 1.05),
        glare=rng.uniform(0.4, 1.2) if glare else 0.0,
        shininess=rng.uniform(60.0, 400.0),
    )


def _optics(rng: random.Random) -> Optics:
    motion = rng.random() < 0.25
    dark = rng.random() < 0.3
    return Optics(
        finger=rng.random() < 0.25,
        defocus_sigma=rng.uniform(0.3, 0.9),
        motion_px=rng.uniform(1.5, 5.0) if motion else 0.0,
        motion_deg=rng.uniform(0.0, 180.0),
        light_gain=rng.uniform(0.15, 0.5) if dark else rng.uniform(0.8, 1.0),
        read_noise=rng.uniform(1.0, 4.0),
        jpeg_quality=rng.randint(35, 90),
    )


def _image_centre(pose: Pose) -> tuple[float, float]:
    return (FRAME_W * (0.5 + pose.offset[0]), FRAME_H * (0.5 + pose.offset[1]))


def make_photo(seed: int, cls: str, index: int) -> Photo:
    """Image ``index`` of class ``cls`` in the set of ``seed``."""
    rng = random.Random(zlib.crc32(f"{seed}/{cls}/{index}".encode()))
    pose, optics = _pose(rng), _optics(rng)
    if cls == "none":
        symbol = None
        face = decoy_face(rng, rng.randint(90, 200) * MODULE)
    else:
        symbol = random_symbol(rng, cls)  # type: ignore[arg-type]
        face = symbol_face(symbol, rng)
    backdrop = background(rng, FRAME_W, FRAME_H)
    glare_at = (rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6))
    frame = render(face, pose, backdrop, glare_at)
    if optics.finger:
        code_px = face.code_size[0] / MODULE * pose.module_px
        add_finger(frame, rng, _image_centre(pose), reach=code_px * 0.5)
    frame = expose(frame, optics, rng)
    return Photo(
        cls=cls,
        index=index,
        seed=seed,
        image=frame,
        gtin14=symbol.gtin14 if symbol else None,
        digits=symbol.digits if symbol else None,
        pose=pose,
        optics=optics,
    )


def photos(seed: int, per_class: int, classes: tuple[str, ...] = CLASSES) -> Iterator[Photo]:
    """The set of ``seed``: ``per_class`` images of each class, made one at a time."""
    for index in range(per_class):
        for cls in classes:
            yield make_photo(seed, cls, index)


__all__ = ["CLASSES", "FOCAL_FRACTION", "Photo", "make_photo", "photos"]
