"""A pinhole camera looking at a flat or cylindrical package face, shaded, with specular glare.

Each output pixel casts a ray into the package's own frame and meets the plane ``z = 0`` or
the cylinder of radius ``R`` touching it (a can or bottle, axis along or across the bars);
the hit point gives the texture coordinate, the surface normal the shading. Glare is
Blinn–Phong with the light placed where it mirrors into the lens at a point of the code, so
a "glare" image really has a highlight across its code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bench.scanphotos.faces import MODULE, Face, Image

F32 = npt.NDArray[np.float32]
FOCAL_FRACTION = 0.9
"""Focal length as a fraction of the frame width (~70° horizontal field, a webcam)."""


@dataclass(frozen=True)
class Pose:
    """Where the package is and how it is lit. Angles in degrees; ``module_px`` face-on."""

    module_px: float
    tilt_deg: float
    tilt_azimuth_deg: float
    roll_deg: float
    curvature_deg: float  # half the arc the code spans on a cylinder; 0 = flat
    curved_along_code: bool
    offset: tuple[float, float]  # code centre from frame centre, fractions of the frame
    ambient: float
    glare: float  # peak specular brightness over white; 0 = none
    shininess: float


def _rotation(pose: Pose) -> npt.NDArray[np.float64]:
    roll = math.radians(pose.roll_deg)
    tilt = math.radians(pose.tilt_deg)
    az = math.radians(pose.tilt_azimuth_deg)
    rz = np.array(
        [[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]]
    )
    axis = np.array([math.cos(az), math.sin(az), 0.0])  # tilt about an in-plane axis
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    tilt_m = np.eye(3) + math.sin(tilt) * k + (1 - math.cos(tilt)) * (k @ k)
    result: npt.NDArray[np.float64] = tilt_m @ rz
    return result


def _radius(pose: Pose, face: Face) -> float:
    if pose.curvature_deg <= 0:
        return 0.0
    span = face.code_size[0] if pose.curved_along_code else face.code_size[1]
    return float(span / 2.0 / math.radians(pose.curvature_deg))


def _hit(
    origin: npt.NDArray[np.float64], dirs: F32, radius: float, along: bool
) -> tuple[F32, F32, F32, F32]:
    """Texture offsets (u, v) from the code centre, a visibility mask and the normal's z·(-1)."""
    ox, oy, oz = (float(c) for c in origin)
    ex, ey, ez = dirs[..., 0], dirs[..., 1], dirs[..., 2]
    if radius <= 0:
        t = -oz / ez
        u, v = ox + t * ex, oy + t * ey
        return u, v, (t > 0).astype(np.float32), np.ones_like(u)
    # Cylinder (a - 0)^2 + (z - R)^2 = R^2, a = x when curved along the code, else y.
    oa, ea = (ox, ex) if along else (oy, ey)
    ozr = oz - radius
    qa = ea * ea + ez * ez
    qb = 2 * (oa * ea + ozr * ez)
    qc = oa * oa + ozr * ozr - radius * radius
    disc = qb * qb - 4 * qa * qc
    ok = disc >= 0
    t = (-qb - np.sqrt(np.maximum(disc, 0))) / (2 * qa)
    a = oa + t * ea
    z = oz + t * ez
    theta = np.arctan2(a, radius - z)
    arc = radius * theta
    other = (oy + t * ey) if along else (ox + t * ex)
    visible = (ok & (t > 0) & (np.abs(theta) < math.pi / 2)).astype(np.float32)
    u, v = (arc, other) if along else (other, arc)
    return u.astype(np.float32), v.astype(np.float32), visible, np.cos(theta).astype(np.float32)


def _normals(u: F32, v: F32, radius: float, along: bool) -> F32:
    """Outward (towards the camera) surface normals in the package frame."""
    n = np.zeros((*u.shape, 3), np.float32)
    n[..., 2] = -1.0
    if radius > 0:
        theta = (u if along else v) / radius
        n[..., 0 if along else 1] = np.sin(theta)
        n[..., 2] = -np.cos(theta)
    return n


def _surface_point(u: float, v: float, radius: float, along: bool) -> npt.NDArray[np.float64]:
    if radius <= 0:
        return np.array([u, v, 0.0])
    theta = (u if along else v) / radius
    a, z = radius * math.sin(theta), radius * (1 - math.cos(theta))
    return np.array([a, v, z]) if along else np.array([u, a, z])


def _bbox(
    face: Face,
    rot: npt.NDArray[np.float64],
    centre: npt.NDArray[np.float64],
    radius: float,
    along: bool,
    f: float,
    size: tuple[int, int],
) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) holding the projected face: only there are rays cast."""
    fh, fw = face.image.shape[:2]
    limit = math.pi / 2 * radius if radius > 0 else float("inf")
    points = []
    for fx in np.linspace(0, fw, 24):
        for fy in np.linspace(0, fh, 24):
            u, v = fx - face.centre[0], fy - face.centre[1]
            if along:
                u = float(np.clip(u, -limit, limit))
            else:
                v = float(np.clip(v, -limit, limit))
            points.append(rot @ _surface_point(u, v, radius, along) + centre)
    cam = np.array(points)
    w, h = size
    xs = cam[:, 0] / cam[:, 2] * f + w / 2
    ys = cam[:, 1] / cam[:, 2] * f + h / 2
    x0, x1 = int(max(0, xs.min() - 4)), int(min(w, xs.max() + 5))
    y0, y1 = int(max(0, ys.min() - 4)), int(min(h, ys.max() + 5))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


def render(face: Face, pose: Pose, backdrop: Image, rng_glare: tuple[float, float]) -> Image:
    """The camera frame (BGR, same size as ``backdrop``); ``rng_glare`` places the highlight."""
    h, w = backdrop.shape[:2]
    f = FOCAL_FRACTION * w
    depth = f * MODULE / pose.module_px
    rot = _rotation(pose)
    centre = np.array([pose.offset[0] * w / f * depth, pose.offset[1] * h / f * depth, depth])
    radius = _radius(pose, face)
    along = pose.curved_along_code
    x0, y0, x1, y1 = _bbox(face, rot, centre, radius, along, f, (w, h))
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    rays = np.stack([(xs - w / 2) / f, (ys - h / 2) / f, np.ones_like(xs)], axis=-1)
    rays /= np.linalg.norm(rays, axis=-1, keepdims=True)
    obj_rays = (rays @ rot.astype(np.float32)).astype(np.float32)  # R^T d, row vectors
    origin = rot.T @ (-centre)
    u, v, visible, _ = _hit(origin, obj_rays, radius, along)
    tex = _prefilter(face.image, pose.module_px)
    scale = tex.shape[1] / face.image.shape[1]
    map_x = ((u + face.centre[0]) * scale).astype(np.float32)
    map_y = ((v + face.centre[1]) * scale).astype(np.float32)
    colour = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    ones = np.full(tex.shape[:2], 255, np.uint8)
    inside = cv2.remap(ones, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    cover = (inside.astype(np.float32) / 255.0) * visible
    normals = _normals(u, v, radius, along)
    shade, spec = _lighting(normals, obj_rays, pose, radius, along, rng_glare, face, origin)
    lit = colour.astype(np.float32) * shade[..., None] + 255.0 * spec[..., None]
    out = backdrop.copy()
    under = backdrop[y0:y1, x0:x1].astype(np.float32)
    mixed = under * (1 - cover[..., None]) + lit * cover[..., None]
    out[y0:y1, x0:x1] = np.clip(mixed, 0, 255).astype(np.uint8)
    return out


def _prefilter(texture: Image, module_px: float) -> Image:
    """Shrink the texture to ~2 texture pixels per output pixel first (no aliasing in remap)."""
    factor = min(1.0, 2.0 * module_px / MODULE)
    if factor >= 1.0:
        return texture
    return np.asarray(
        cv2.resize(texture, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), np.uint8
    )


def _lighting(
    normals: F32,
    rays: F32,
    pose: Pose,
    radius: float,
    along: bool,
    glare_at: tuple[float, float],
    face: Face,
    origin: npt.NDArray[np.float64],
) -> tuple[F32, F32]:
    """Diffuse shade (ambient + Lambert) and the specular term, both per pixel."""
    view = -rays
    if pose.glare > 0:
        # Light mirrored about the normal at a point of the code: the highlight lands there.
        gu = glare_at[0] * face.code_size[0] / 2
        gv = glare_at[1] * face.code_size[1] / 2
        n0 = _normals(np.array([gu], np.float32), np.array([gv], np.float32), radius, along)[0]
        v0 = origin - _surface_point(gu, gv, radius, along)
        v0 /= np.linalg.norm(v0)
        light = 2 * float(n0 @ v0) * n0 - v0
    else:
        light = np.array([0.3, -0.4, -1.0], np.float32)
    light = (light / np.linalg.norm(light)).astype(np.float32)
    lambert = np.clip(normals @ light, 0, 1)
    shade = (pose.ambient * (0.45 + 0.55 * lambert)).astype(np.float32)
    if pose.glare <= 0:
        return shade, np.zeros_like(shade)
    half = view + light
    half /= np.linalg.norm(half, axis=-1, keepdims=True)
    spec = np.clip(np.sum(normals * half, axis=-1), 0, 1) ** pose.shininess
    return shade, (pose.glare * spec).astype(np.float32)
