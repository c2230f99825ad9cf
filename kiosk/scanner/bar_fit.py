"""A model-based EAN/UPC reader for small modules: one folded profile, fitted digit by digit.

zxing-cpp and pyzbar binarise each scan line: at 1.0–1.4 px a module, blur and noise merge
narrow bars and spaces before either sees an edge, and no retry of theirs (equalise,
upscale, sharpen, rotate) reads most such codes (docs/BENCHMARKS.md, "ceiling"). Here
(``bar_profile``) the region is sampled along its bars' gradient and many rows are folded
into one low-noise profile; the profile is *fitted*: the code's ends, a slowly varying
module width and the blur are searched for each layout (EAN-13/UPC-A, EAN-8, UPC-E) both
ways, and the digits are those whose blurred codes best explain the profile under a
least-squares model of the whole code. A fit counts only when the check digit holds
(``verify.retail_gtin``, UPC-E through its UPC-A), every digit beats its runner-up by
``CLEAR_MIN`` noise variances and its quiet zones are clear; a region is read only when the
top and the bottom half of its bars each read the same code (two views). It refuses rather
than guesses (docs/decisions/0267).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kiosk.scanner.bar_profile import extent, fine_regions, profile
from kiosk.scanner.decoders import DecodedSymbol, Gray
from kiosk.scanner.imaging import Region
from kiosk.scanner.verify import retail_gtin

Floats = npt.NDArray[np.float64]

L_CODES = ("0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011")  # fmt: skip
R_CODES = tuple("".join("1" if c == "0" else "0" for c in code) for code in L_CODES)
G_CODES = tuple(code[::-1] for code in R_CODES)
EAN13_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
                "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")  # fmt: skip
UPCE_PARITY = ("GGGLLL", "GGLGLL", "GGLLGL", "GGLLLG", "GLGGLL",
               "GLLGGL", "GLLLGG", "GLGLGL", "GLGLLG", "GLLGLG")  # fmt: skip
"""UPC-E, number system 0, by check digit (number system 1: L and G swapped)."""

SAMPLES = 4
"""Profile samples per module once resampled onto the code's module grid."""
CLEAR_MIN = 50.0
"""A digit is read when its runner-up code fits worse by this many noise variances
(``Fit.clear``). Held-out dev seeds 10–15: the clearest *wrong* half-profile fit with its
quiet zones clear measured 46; with both halves at 50, 10 of the 124 codes no retry of the
decoders reads were read, and no wrong code in 1,200 images (none even at 30)."""
QUIET_MAX = 0.5
"""A fit with ink darker than this share of its bars within ``QUIET_MODULES`` of an end
is refused: on the dev seeds, every UPC-E read inside an EAN-13 (1.1 of the bars)."""
BLURS = (0.35, 0.6, 0.9)
"""Gaussian σ of the templates, in modules."""
BENDS = (-0.08, -0.04, 0.0, 0.04, 0.08)
"""Quadratic bend of the module grid (slowly varying scale: perspective, curvature)."""
MIN_MODULE_PX, MAX_MODULE_PX = 0.8, 3.5


@dataclass(frozen=True)
class Layout:
    """A symbology as a run of guards (fixed modules) and digits (a choice of codes)."""

    name: str
    modules: int
    guards: tuple[tuple[int, str], ...]
    """(first module, pattern) of each guard."""
    digits: tuple[tuple[int, str], ...]
    """(first module, code set: "LG" for the left half, "R" right) of each digit."""


def _ean(name: str, per_half: int) -> Layout:
    centre = 3 + 7 * per_half
    end = centre + 5 + 7 * per_half
    left = tuple((3 + 7 * i, "LG") for i in range(per_half))
    right = tuple((centre + 5 + 7 * i, "R") for i in range(per_half))
    return Layout(name, end + 3, ((0, "101"), (centre, "01010"), (end, "101")), left + right)


EAN13 = _ean("ean13", 6)
EAN8 = _ean("ean8", 4)
UPCE = Layout("upce", 51, ((0, "101"), (45, "010101")), tuple((3 + 7 * i, "LG") for i in range(6)))
LAYOUTS = (EAN13, EAN8, UPCE)


@dataclass(frozen=True)
class Fit:
    """The best reading of a profile under one layout and geometry."""

    text: str
    symbology: str
    clear: float
    """The least clear digit: its runner-up code's squared residual less its own, over the
    fit's noise variance (a log-likelihood ratio, ×2, under Gaussian noise)."""
    quiet: float
    """The darkest stretch (bar darkness 1, paper 0) within ``QUIET_MODULES`` of either end."""


def _templates(layout: Layout, blur: float) -> tuple[list[Floats], list[list[Floats]]]:
    """Guard templates and, per digit, its candidate codes' templates, module-grid sampled,
    darkness 1 for a bar; the modules next to a digit are the ones every code shares."""
    guards = [
        _render(_beside(layout, m, -1) + p + _beside(layout, m + len(p), 0), blur)[SAMPLES:-SAMPLES]
        for m, p in layout.guards
    ]
    codes: list[list[Floats]] = []
    for _, kind in layout.digits:
        sets = (L_CODES, G_CODES) if kind == "LG" else (R_CODES, R_CODES)
        before, after = ("1", "0") if kind == "LG" else ("0", "1")
        codes.append([_render(before + c + after, blur)[SAMPLES:-SAMPLES] for s in sets for c in s])
    return guards, codes


def _beside(layout: Layout, module: int, side: int) -> str:
    """The module at ``module + side`` when it is a digit's edge module (quiet zone: light).
    L and G codes start light and end dark, R codes the reverse, whatever the digit."""
    for first, kind in layout.digits:
        if side == -1 and first + 7 == module:
            return "1" if kind == "LG" else "0"
        if side == 0 and first == module:
            return "0" if kind == "LG" else "1"
    return "0"


def _render(modules: str, blur: float) -> Floats:
    signal = np.repeat(np.array([float(m) for m in modules]), SAMPLES)
    padded = np.concatenate([np.full(3 * SAMPLES, 0.5), signal, np.full(3 * SAMPLES, 0.5)])
    sigma = max(blur * SAMPLES, 0.3)
    taps = np.arange(-3 * SAMPLES, 3 * SAMPLES + 1)
    kernel = np.exp(-0.5 * (taps / sigma) ** 2)
    out = np.convolve(padded, kernel / kernel.sum(), mode="same")
    return np.asarray(out[3 * SAMPLES : -3 * SAMPLES], dtype=np.float64)


def _centred(a: Floats) -> Floats:
    c = a - a.mean(axis=-1, keepdims=True)
    n = np.sqrt((c * c).sum(axis=-1, keepdims=True))
    return np.asarray(c / np.maximum(n, 1e-9), dtype=np.float64)


_CACHE: dict[tuple[str, float], tuple[list[Floats], Floats]] = {}


def _normalised_templates(layout: Layout, blur: float) -> tuple[list[Floats], Floats]:
    """Guards, and digits × 20 candidates × samples (R codes twice: no parity on the right)."""
    key = (layout.name, blur)
    if key not in _CACHE:
        guards, codes = _templates(layout, blur)
        _CACHE[key] = (
            [_centred(g) for g in guards],
            _centred(np.stack([np.stack(c) for c in codes])),
        )
    return _CACHE[key]


def read_profile(darkness: Floats, step: float = 0.5) -> list[Fit]:
    """The best fits of ``darkness`` (a profile, bars high; read both ways) that decode.

    Every layout is searched coarsely in both directions; only the ``TRIED`` best of those
    are searched finely and decoded. ``step``: pixels per profile sample."""
    coarse: list[tuple[float, Floats, Layout, tuple[float, float, float, float, float]]] = []
    for way in (darkness, darkness[::-1].copy()):
        edges = extent(way)
        if edges is None:
            continue
        start0, end0 = edges
        for layout in LAYOUTS:
            module = (end0 - start0) / layout.modules
            if not MIN_MODULE_PX <= module * step <= MAX_MODULE_PX:
                continue
            offsets = np.arange(-1.5, 1.51, 0.5) * module
            best = _search(way, layout, start0 + offsets, end0 + offsets, (0.0,), BLURS)
            parts = len(layout.guards) + len(layout.digits)
            coarse.append((best[0] / parts, way, layout, best))
    coarse.sort(key=lambda c: c[0], reverse=True)
    fits: list[Fit] = []
    for _, way, layout, best in coarse[:TRIED]:
        module = (best[2] - best[1]) / layout.modules
        fine = np.arange(-0.375, 0.38, 0.125) * module
        _, start, end, bend, blur = _search(
            way, layout, best[1] + fine, best[2] + fine, BENDS, (best[4],)
        )
        fit = _decode(way, layout, (start, end, bend), blur)
        if fit is not None:
            fits.append(fit)
    return fits


TRIED = 2
"""Layouts × directions searched finely: the best coarse fits."""


def _grid_positions(layout: Layout, start: Floats, end: Floats, bend: float) -> Floats:
    """Profile positions of the module grid's samples (one row per start/end pair)."""
    t = (np.arange(layout.modules * SAMPLES) + 0.5) / (layout.modules * SAMPLES)
    warp = t + bend * t * (1 - t)
    return np.asarray(start[:, None] + (end - start)[:, None] * warp[None, :], dtype=np.float64)


def _search(
    darkness: Floats,
    layout: Layout,
    starts: Floats,
    ends: Floats,
    bends: tuple[float, ...],
    blurs: tuple[float, ...],
) -> tuple[float, float, float, float, float]:
    """The best (score, start, end, bend, blur) over every start × end × bend × blur."""
    s_all = np.repeat(starts, len(ends))
    e_all = np.tile(ends, len(starts))
    x = np.arange(len(darkness), dtype=np.float64)
    best = (-math.inf, 0.0, 0.0, 0.0, blurs[0])
    for bend in bends:
        positions = _grid_positions(layout, s_all, e_all, bend)
        grids = np.interp(positions.ravel(), x, darkness).reshape(positions.shape)
        guard_parts, digits = _segments(grids, layout)
        for blur in blurs:
            guards, codes = _normalised_templates(layout, blur)
            per_digit = np.matmul(digits.transpose(1, 0, 2), codes.transpose(0, 2, 1))
            scores = per_digit.max(axis=2).sum(axis=0)
            for part, template in zip(guard_parts, guards, strict=True):
                scores = scores + part @ template
            k = int(np.argmax(scores))
            if scores[k] > best[0]:
                best = (float(scores[k]), float(s_all[k]), float(e_all[k]), bend, blur)
    return best


def _segments(grids: Floats, layout: Layout) -> tuple[list[Floats], Floats]:
    """Guard and digit stretches of module grids (last axis), each centred and normalised."""
    guards = [_centred(grids[..., m * SAMPLES : (m + len(p)) * SAMPLES]) for m, p in layout.guards]
    digits = np.stack([grids[..., m * SAMPLES : (m + 7) * SAMPLES] for m, _ in layout.digits], -2)
    return guards, _centred(digits)


def _decode(
    darkness: Floats, layout: Layout, geometry: tuple[float, float, float], blur: float
) -> Fit | None:
    """The digits of the fitted geometry: first by correlation, then by least squares
    against the whole code's model under a slowly varying gain and offset (a digit's mean
    darkness tells it apart too), and how clearly each digit beat its runner-up."""
    start, end, bend = geometry
    x = np.arange(len(darkness), dtype=np.float64)
    positions = _grid_positions(layout, np.array([start]), np.array([end]), bend)[0]
    grid = np.interp(positions, x, darkness)
    _, codes = _normalised_templates(layout, blur)
    _, digits = _segments(grid, layout)
    chosen = [int(i) for i in np.einsum("ds,dcs->dc", digits, codes).argmax(axis=1)]
    raw = _raw_templates(layout, blur)
    t = np.linspace(0.0, 1.0, len(grid))
    residuals = np.zeros((len(chosen), raw.shape[1]))
    noise = 1.0
    for _ in range(2):
        model = _render("0" + _modules(layout, chosen) + "0", blur)[SAMPLES:-SAMPLES]
        design = np.stack([model, model * t, np.ones_like(t), t], axis=1)
        coef = np.linalg.lstsq(design, grid, rcond=None)[0]
        gain, offset = coef[0] + coef[1] * t, coef[2] + coef[3] * t
        noise = max(float(np.mean((grid - design @ coef) ** 2)), 1e-6)
        for i, (first, _) in enumerate(layout.digits):
            w = slice(first * SAMPLES, (first + 7) * SAMPLES)
            predicted = gain[w][None, :] * raw[i] + offset[w][None, :]
            residuals[i] = ((grid[w][None, :] - predicted) ** 2).sum(axis=1)
        chosen = [int(i) for i in residuals.argmin(axis=1)]
    if float(np.median(gain)) <= 0:
        return None
    clear = math.inf
    for i, r in enumerate(residuals):
        others = [k for k in range(len(r)) if k % 10 != chosen[i] % 10]
        clear = min(clear, float(r[others].min() - r[chosen[i]]) / noise)
    picked = [(k % 10, "L" if kind == "R" or k < 10 else "G") for k, (_, kind) in
              zip(chosen, layout.digits, strict=True)]  # fmt: skip
    text = _text(layout, picked)
    if text is None or retail_gtin(text, layout.name) is None:
        return None
    quiet = _quiet(darkness, positions, layout, float(np.median(gain)), offset)
    return Fit(text, layout.name, clear, quiet)


QUIET_MODULES = 4


def _quiet(
    darkness: Floats, positions: Floats, layout: Layout, gain: float, offset: Floats
) -> float:
    """The darkest point within ``QUIET_MODULES`` outside either end, as a share of the bars'
    darkness over the paper: a code read inside a longer one has bars there."""
    step = (positions[-1] - positions[0]) / (len(positions) - 1) * SAMPLES
    x = np.arange(len(darkness), dtype=np.float64)
    span = np.arange(1, QUIET_MODULES * SAMPLES + 1) * step / SAMPLES
    before = np.interp(positions[0] - step / 2 - span, x, darkness, left=np.nan, right=np.nan)
    after = np.interp(positions[-1] + step / 2 + span, x, darkness, left=np.nan, right=np.nan)
    if np.isnan(before).any() or np.isnan(after).any():
        return 1.0  # the profile ends there: nothing shows the quiet zone
    return float(max((before - offset[0]).max(), (after - offset[-1]).max()) / max(gain, 1e-6))


def _modules(layout: Layout, chosen: list[int]) -> str:
    """The code's module string for candidate indices ``chosen`` (L 0–9, G 10–19; R k % 10)."""
    out = ["0"] * layout.modules
    for first, pattern in layout.guards:
        out[first : first + len(pattern)] = pattern
    for k, (first, kind) in zip(chosen, layout.digits, strict=True):
        code = (L_CODES[k] if k < 10 else G_CODES[k - 10]) if kind == "LG" else R_CODES[k % 10]
        out[first : first + 7] = code
    return "".join(out)


_RAW: dict[tuple[str, float], Floats] = {}


def _raw_templates(layout: Layout, blur: float) -> Floats:
    key = (layout.name, blur)
    if key not in _RAW:
        _RAW[key] = np.stack([np.stack(c) for c in _templates(layout, blur)[1]])
    return _RAW[key]


def _text(layout: Layout, chosen: list[tuple[int, str]]) -> str | None:
    digits = "".join(str(d) for d, _ in chosen)
    parity = "".join(p for _, p in chosen)
    if layout is EAN8:
        return digits if parity == "LLLLLLLL" else None
    if layout is EAN13:
        lead = parity[:6]
        if parity[6:] != "LLLLLL" or lead not in EAN13_PARITY:
            return None
        return str(EAN13_PARITY.index(lead)) + digits
    for system, table in ((0, UPCE_PARITY), (1, tuple(_swap(p) for p in UPCE_PARITY))):
        if parity in table:
            return f"{system}{digits}{table.index(parity)}"
    return None


def _swap(parity: str) -> str:
    return parity.translate(str.maketrans("LG", "GL"))


def accepted(fit: Fit) -> bool:
    """Whether a fit is clear enough to report: every digit ``CLEAR_MIN`` ahead of its
    runner-up, and no bars where its quiet zones should be (a code inside a longer one)."""
    return fit.clear >= CLEAR_MIN and fit.quiet < QUIET_MAX


def read_band(gray: Gray, region: Region, rows: tuple[float, float]) -> dict[str, str]:
    """The accepted fits of one band of the region's rows: text → symbology."""
    raw = profile(gray, region, rows)
    return {fit.text: fit.symbology for fit in read_profile(raw.max() - raw) if accepted(fit)}


def read_region(
    gray: Gray, region: Region, expired: Callable[[], bool] = lambda: False
) -> list[DecodedSymbol]:
    """The code in ``region`` when each half of its bars (two disjoint sets of rows, two
    views) reads it alone and unambiguously; else nothing (docs/decisions/0267)."""
    first = read_band(gray, region, (0.0, 0.5))
    if len(first) != 1 or expired() or read_band(gray, region, (0.5, 1.0)) != first:
        return []
    text, symbology = next(iter(first.items()))
    return [DecodedSymbol(text, symbology, "bar-fit", "bar-fit")]


def read_frame(
    gray: Gray, regions: list[Region], expired: Callable[[], bool]
) -> list[DecodedSymbol]:
    """The first code read in the frame's fine-bar regions, then in ``regions`` (the
    pipeline's crops), while not ``expired``."""
    for region in [*fine_regions(gray), *regions]:
        if expired():
            return []
        found = read_region(gray, region, expired)
        if found:
            return found
    return []
