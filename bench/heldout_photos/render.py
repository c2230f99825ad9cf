"""One photo: draw the conditions independently, print the code, put it on a package, shoot it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from bench.heldout_photos import camera, geometry, gs1
from bench.heldout_photos.label import Image, Print, choose_colours, f32, render_patch
from bench.heldout_photos.package import Face, build_face, decoy_patch

WIDTH, HEIGHT = 1280, 720
SUPERSAMPLE = 2

# Probability that each phenomenon is present; each is drawn on its own.
P_CYLINDER, P_BAG = 0.2, 0.2
P = {
    "defocus": 0.15,
    "motion_blur": 0.12,
    "glare": 0.15,
    "occlusion": 0.1,
    "low_light": 0.12,
    "jpeg_strong": 0.15,
    "uneven_light": 0.4,
    "colored_ink": 0.35,
    "low_contrast": 0.12,
    "ink_spread": 0.25,
    "shrink_wrap": 0.15,
    "hri_digits": 0.65,
    "tight_quiet_zone": 0.07,
    "isp_sharpen": 0.35,
}
CONDITIONS = (
    "surface_box",
    "surface_cylinder",
    "surface_bag",
    "tilt_strong",
    "rotation_oblique",
    "small_modules",
    *P,
)


@dataclass(frozen=True)
class Shot:
    """The rendered frame and its truth."""

    image: NDArray[np.uint8]
    gtin14: str | None
    code: str | None
    conditions: dict[str, bool]


def random_code(kind: str, rng: random.Random) -> str:
    """A valid code of symbology ``kind`` (digits as printed)."""

    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    if kind == "ean13":
        body = str(rng.randint(1, 9)) + digits(11)  # a leading 0 would be a UPC-A
    elif kind == "upca":
        body = rng.choice("0001136789") + digits(10)
    elif kind == "ean8":
        body = digits(7)
    elif kind == "upce":
        return gs1.upce_from_digits("0" if rng.random() < 0.8 else "1", digits(6))
    else:
        raise ValueError(kind)
    return body + gs1.check_digit(body)


PRINT_ONLY = ("colored_ink", "low_contrast", "ink_spread", "hri_digits", "tight_quiet_zone")


def _draw_conditions(rng: random.Random, cls: str, clean: bool) -> dict[str, bool]:
    cond = {name: rng.random() < p and not clean for name, p in P.items()}
    if cls == "none":  # no code is printed, so its printing conditions do not apply
        cond.update(dict.fromkeys(PRINT_ONLY, False))
    surface = rng.random()
    cond["surface_cylinder"] = surface < P_CYLINDER and not clean
    cond["surface_bag"] = P_CYLINDER <= surface < P_CYLINDER + P_BAG and not clean
    cond["surface_box"] = not (cond["surface_cylinder"] or cond["surface_bag"])
    return cond


def _pose(rng: random.Random, cond: dict[str, bool], n_modules: int, clean: bool) -> geometry.Pose:
    band = rng.random()
    if band < 0.08:
        module_px = rng.uniform(1.0, 1.4)
    elif band < 0.4:
        module_px = rng.uniform(1.4, 2.2)
    else:
        module_px = rng.uniform(2.2, 3.2)
    tilt_band = rng.random()
    tilt = rng.uniform(0, 20) if tilt_band < 0.6 else rng.uniform(20, 35)
    if tilt_band >= 0.9:
        tilt = rng.uniform(35, 45)
    roll_band = rng.random()
    if roll_band < 0.5:
        roll = rng.uniform(-10, 10)
    elif roll_band < 0.75:
        roll = rng.choice([90, 180, 270]) + rng.uniform(-10, 10)
    else:
        roll = rng.uniform(0, 360)
    if clean:
        module_px, tilt, roll = 2.5, rng.uniform(0, 5), rng.uniform(-3, 3)
    off90 = abs((roll + 45) % 90 - 45)
    cond["small_modules"] = module_px < 1.4
    cond["tilt_strong"] = tilt > 25
    cond["rotation_oblique"] = off90 > 10
    half = 0.5 * n_modules * module_px + 12
    at = (
        WIDTH / 2 + rng.uniform(-1, 1) * max(0.0, min(300.0, WIDTH / 2 - half)),
        HEIGHT / 2 + rng.uniform(-1, 1) * max(0.0, min(170.0, HEIGHT / 2 - half)),
    )
    return geometry.Pose(module_px, tilt, rng.uniform(0, 360), roll, at)


def _print(rng: random.Random, cond: dict[str, bool], tm: int) -> Print:
    ink, paper = choose_colours(rng, cond["colored_ink"], cond["low_contrast"])
    gain = rng.uniform(-0.05, 0.08)
    if cond["ink_spread"]:
        gain = rng.uniform(0.12, 0.4) if rng.random() < 0.75 else rng.uniform(-0.3, -0.12)
    quiet = rng.uniform(0.2, 0.6) if cond["tight_quiet_zone"] else rng.uniform(1.0, 1.6)
    return Print(tm, ink, paper, gain, rng.uniform(22, 70), quiet, cond["hri_digits"])


def _face(cls: str, rng: random.Random, cond: dict[str, bool], tm: int) -> tuple[Face, str | None]:
    if cls == "none":
        patch, _ = decoy_patch(rng, tm)
        h, w = patch.shape[:2]
        return build_face(patch, w / 2, h / 2, w * 0.8, rng), None
    code = random_code(cls, rng)
    symbol = gs1.encode(cls, code)
    patch, cx, cy = render_patch(symbol, _print(rng, cond, tm), rng)
    return build_face(patch, cx, cy, len(symbol.modules) * tm, rng), code


def _surface(face: Face, rng: random.Random, cond: dict[str, bool], tm: int) -> geometry.Surface:
    if cond["surface_cylinder"]:
        return geometry.cylinder(face, rng, tm, axis_vertical=rng.random() < 0.7)
    if cond["surface_bag"]:
        return geometry.bag(face, rng, tm)
    return geometry.flat(face)


def _scene(
    cls: str, rng: random.Random, cond: dict[str, bool], clean: bool
) -> tuple[Image, NDArray[np.float32], str | None, float, tuple[float, float]]:
    n_modules = {"ean13": 95, "ean8": 67, "upca": 95, "upce": 51, "none": 95}[cls]
    pose = _pose(rng, cond, n_modules, clean)
    tm = max(2, round(pose.module_px * SUPERSAMPLE))
    face, code = _face(cls, rng, cond, tm)
    surface = _surface(face, rng, cond, tm)
    h_mat = geometry.homography(pose, tm, surface.centre, SUPERSAMPLE)
    canvas = geometry.background(rng, HEIGHT * SUPERSAMPLE, WIDTH * SUPERSAMPLE)
    canvas, on = geometry.project(surface, canvas, h_mat)
    near = (pose.at[0] * SUPERSAMPLE, pose.at[1] * SUPERSAMPLE)
    size = n_modules * pose.module_px * SUPERSAMPLE
    return canvas, on, code, size, near


def shoot(cls: str, seed: int, index: int, clean: bool = False) -> Shot:
    """Render photo ``index`` of class ``cls`` for ``seed``: a pure function of the three.

    ``clean`` switches every condition off and poses the code frontally at 2.5 px per
    module (a sanity reference for tests, not part of the set).
    """
    rng = random.Random(f"heldout-photos/{seed}/{cls}/{index}")
    cond = _draw_conditions(rng, cls, clean)
    canvas, on, code, size, near = _scene(cls, rng, cond, clean)
    if cond["glare"]:
        camera.glare(canvas, rng, near, size, on)
    if cond["shrink_wrap"]:
        camera.shrink_wrap(canvas, rng, on)
    if cond["occlusion"]:
        camera.finger(canvas, rng, near, size / 2)
    if cond["uneven_light"]:
        camera.uneven_light(canvas, rng)
    img = f32(cv2.resize(canvas, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA))
    if cond["defocus"]:
        img = camera.defocus(img, rng.uniform(0.6, 2.2))
    if cond["motion_blur"]:
        img = camera.motion(img, rng.uniform(1.5, 8.0), rng.uniform(0, 180))
    exposure = rng.uniform(0.04, 0.22) if cond["low_light"] else rng.uniform(0.45, 0.8)
    max_gain = rng.uniform(4.0, 12.0) if cond["low_light"] else 4.0
    sharpen = rng.uniform(0.4, 1.5) if cond["isp_sharpen"] else 0.0
    quality = rng.randint(18, 50) if cond["jpeg_strong"] else rng.randint(60, 93)
    frame = camera.expose(img, rng, exposure, max_gain, sharpen, quality)
    gtin = gs1.truth_gtin14(cls, code) if code is not None else None
    conditions = {name: bool(cond[name]) for name in CONDITIONS}
    return Shot(frame, gtin, code, conditions)
