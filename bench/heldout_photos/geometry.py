"""Package surface (flat box, cylinder, wrinkled bag) and the camera's perspective projection."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from bench.heldout_photos.label import Image, f32
from bench.heldout_photos.package import Face

FOCAL_FINAL = 1000.0  # pixels at 1280x720: ~65 degree horizontal field of view


@dataclass(frozen=True)
class Surface:
    """Face texture as it lies on the package: radiance (shading baked in) and coverage."""

    radiance: Image
    alpha: NDArray[np.float32]
    centre: tuple[float, float]


def flat(face: Face) -> Surface:
    h, w = face.texture.shape[:2]
    return Surface(face.texture, np.ones((h, w), np.float32), face.centre)


def cylinder(face: Face, rng: random.Random, tm: int, axis_vertical: bool) -> Surface:
    """Wrap the face round a can/bottle; bars parallel or perpendicular to the axis."""
    tex = face.texture if axis_vertical else face.texture.transpose(1, 0, 2)
    cx, cy = face.centre if axis_vertical else face.centre[::-1]
    h, w = tex.shape[:2]
    radius = max(8.0 * tm, face.code_width * rng.uniform(0.8, 2.0))
    crest = cx + rng.uniform(-0.35, 0.35) * face.code_width
    s_lo = max(-crest, -radius * math.pi / 2 * 0.97)
    s_hi = min(w - crest, radius * math.pi / 2 * 0.97)
    x_lo, x_hi = radius * math.sin(s_lo / radius), radius * math.sin(s_hi / radius)
    out_w = max(2, int(x_hi - x_lo))
    xs = x_lo + np.arange(out_w, dtype=np.float32)
    s = radius * np.arcsin(np.clip(xs / radius, -1.0, 1.0))
    map_x = np.tile((s + crest).astype(np.float32), (h, 1))
    map_y = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, out_w))
    warped = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    angle = s / radius
    light = rng.uniform(-0.6, 0.6)
    shade = 0.45 + 0.55 * np.clip(np.cos(angle - light), 0.0, 1.0)
    spec_at, spec_w = rng.uniform(-0.7, 0.7), rng.uniform(0.04, 0.15)
    spec = rng.uniform(0.0, 0.5) * np.exp(-(((angle - spec_at) / spec_w) ** 2))
    radiance = warped * shade[None, :, None] + spec[None, :, None]
    radiance = radiance.astype(np.float32)
    alpha = np.ones((h, out_w), np.float32)
    centre = (float(radius * math.sin((cx - crest) / radius) - x_lo), cy)
    if not axis_vertical:
        radiance = np.ascontiguousarray(radiance.transpose(1, 0, 2))
        alpha = np.ascontiguousarray(alpha.T)
        centre = (centre[1], centre[0])
    return Surface(radiance, alpha, centre)


def _height_field(rng: random.Random, h: int, w: int, scale: float) -> NDArray[np.float32]:
    """Wrinkles: a few creases (Gaussian ridges of finite length) over a smooth bulge."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    z = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(3, 9)):
        theta = rng.uniform(0, math.pi)
        px, py = rng.uniform(0, w), rng.uniform(0, h)
        across = (xx - px) * math.sin(theta) - (yy - py) * math.cos(theta)
        along = (xx - px) * math.cos(theta) + (yy - py) * math.sin(theta)
        width = scale * rng.uniform(0.6, 3.0)
        length = scale * rng.uniform(4.0, 20.0)
        z += rng.uniform(-1.0, 1.0) * np.exp(-((across / width) ** 2) - (along / length) ** 2)
    nrng = np.random.default_rng(rng.getrandbits(32))
    bulge = f32(cv2.GaussianBlur(f32(nrng.normal(0, 1, (h, w))), (0, 0), scale * 4))
    bulge /= float(np.abs(bulge).max()) + 1e-6
    return (z + bulge).astype(np.float32)


def bag(face: Face, rng: random.Random, tm: int) -> Surface:
    """A flexible bag: creases displace and compress the print, shade it and catch highlights."""
    tex = face.texture
    h, w = tex.shape[:2]
    small = 4  # the fields are smooth: compute them at quarter resolution, then enlarge
    hs, ws = max(2, h // small), max(2, w // small)
    z = _height_field(rng, hs, ws, scale=6.0 * tm / small)
    gy, gx = np.gradient(z)
    gx, gy = gx * (6.0 * tm / small), gy * (6.0 * tm / small)  # slope per crease width
    amp = rng.uniform(0.6, 3.0) * tm
    dx_dir, dy_dir = rng.uniform(-1, 1), rng.uniform(-1, 1)
    disp_x = amp * (z * dx_dir + gx)
    disp_y = amp * (z * dy_dir + gy)
    slope = rng.uniform(0.5, 2.0)
    nx, ny = -gx * slope, -gy * slope
    norm = np.sqrt(nx * nx + ny * ny + 1.0)
    lx, ly = rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6)
    lambert = (nx * lx + ny * ly + 1.0) / (norm * math.sqrt(lx * lx + ly * ly + 1.0))
    shade = 0.45 + 0.55 * np.clip(lambert, 0.0, 1.0)
    spec = rng.uniform(0.1, 0.6) * np.clip(lambert, 0.0, 1.0) ** rng.choice([40, 80, 160])

    def big(a: NDArray[np.float64]) -> NDArray[np.float32]:
        return np.asarray(cv2.resize(a.astype(np.float32), (w, h)), dtype=np.float32)

    xs = np.arange(w, dtype=np.float32)[None, :]
    ys = np.arange(h, dtype=np.float32)[:, None]
    map_x, map_y = big(disp_x) + xs, big(disp_y) + ys
    warped = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    radiance = warped * big(shade)[:, :, None] + big(spec)[:, :, None]
    return Surface(radiance.astype(np.float32), np.ones((h, w), np.float32), face.centre)


@dataclass(frozen=True)
class Pose:
    """Where the code sits in front of the camera."""

    module_px: float  # module width at the code centre, final 1280x720 pixels
    tilt_deg: float  # angle between the package face and the image plane
    tilt_axis_deg: float  # direction of the tilt axis within the face
    roll_deg: float  # in-plane rotation
    at: tuple[float, float]  # where the code centre lands, final pixels


def homography(
    pose: Pose, tm: int, centre: tuple[float, float], supersample: int
) -> NDArray[np.float64]:
    """Texture pixels -> canvas pixels for a plane seen by a pinhole camera."""
    f = FOCAL_FINAL * supersample
    psi = math.radians(pose.tilt_axis_deg)
    axis = np.array([math.cos(psi), math.sin(psi), 0.0])
    tilt, _ = cv2.Rodrigues(axis * math.radians(pose.tilt_deg))
    roll, _ = cv2.Rodrigues(np.array([0.0, 0.0, math.radians(pose.roll_deg)]))
    rot = roll @ tilt
    z0 = f / (pose.module_px * supersample)  # distance in modules
    w_img, h_img = 1280 * supersample, 720 * supersample
    u0, v0 = pose.at[0] * supersample, pose.at[1] * supersample
    t = np.array([(u0 - w_img / 2) * z0 / f, (v0 - h_img / 2) * z0 / f, z0])
    m = np.column_stack(
        [
            rot[:, 0] / tm,
            rot[:, 1] / tm,
            t - rot[:, 0] * centre[0] / tm - rot[:, 1] * centre[1] / tm,
        ]
    )
    k = np.array([[f, 0, w_img / 2], [0, f, h_img / 2], [0, 0, 1.0]])
    return np.asarray(k @ m, dtype=np.float64)


def project(
    surface: Surface, background: Image, h_mat: NDArray[np.float64]
) -> tuple[Image, NDArray[np.float32]]:
    """Composite the surface, seen through ``h_mat``, over the background; also its coverage."""
    bh, bw = background.shape[:2]
    warped = cv2.warpPerspective(surface.radiance, h_mat, (bw, bh), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(surface.alpha, h_mat, (bw, bh), flags=cv2.INTER_LINEAR)
    canvas = (background * (1.0 - alpha[:, :, None]) + warped).astype(np.float32)
    return canvas, alpha.astype(np.float32)


def background(rng: random.Random, h: int, w: int) -> Image:
    """Kiosk surroundings: a counter, out-of-focus clutter, a gradient."""
    hs, ws = h // 8, w // 8
    img = np.empty((hs, ws, 3), np.float32)
    img[:] = [rng.uniform(0.05, 0.5) for _ in range(3)]
    for _ in range(rng.randint(2, 8)):
        c = tuple(rng.uniform(0.0, 0.8) for _ in range(3))
        p0 = (rng.randint(-ws // 4, ws), rng.randint(-hs // 4, hs))
        p1 = (p0[0] + rng.randint(5, ws // 2), p0[1] + rng.randint(5, hs // 2))
        cv2.rectangle(img, p0, p1, c, -1)
    img = f32(cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 4.0)))
    ramp = np.linspace(rng.uniform(0.5, 1.0), rng.uniform(0.5, 1.0), hs, dtype=np.float32)
    img *= ramp[:, None, None]
    return f32(cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR))
