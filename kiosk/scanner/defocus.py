"""A second view for defocused codes: pyzbar on the region sharpened, and only where it is soft.

Decision 0262 accepts a read that one view alone made (one decoder through one binarizer)
only when another view reads the same code. On defocused frames (synthetic ``blurred``
class: Gaussian σ ≈ 1.5 px on 2.2–2.6 px modules) only zxing-cpp reads, and none of the
re-reads (zxing-cpp rescaled or at a fixed threshold, pyzbar at 2×) sees those soft bars, so
the class fell to zxing-cpp alone. An unsharp mask restores the bar edges enough for pyzbar:
on the reads 0262 dropped in that class it confirmed 26 of 27 (docs/decisions/0264).

pyzbar is the other decoder, so its read is another opinion, not zxing-cpp repeating itself.
Sharpening can also draw edges that are not there (ringing, noise), so this view is offered
only where the region *measures* as defocused (``defocused``): its steepest edges rise less
than ``STEEPNESS_MAX`` of its contrast per pixel. The misreads 0262 refused (held-out seeds
16, 18, 32) lie in sharp or ISP-sharpened regions (0.56–1.07) and never reach it; the
synthetic defocused regions measure 0.23–0.30.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar
from kiosk.scanner.imaging import unsharp

STEEPNESS_MAX = 0.35
"""A region is defocused when its steepest edges rise less than this share of its contrast
per pixel. A sharp edge rises most of it in one pixel (0.5–1); under Gaussian blur of σ px
about 0.4/σ (σ 1.5 px: 0.25); synthetic sharp classes measured 0.33–0.78."""
EDGE_PERCENTILE = 99.5
"""The "steepest edges": this percentile of the one-pixel steps, robust to a stray pixel."""
CONTRAST_PERCENTILES = (3.0, 97.0)
SHARPEN_SIGMA = 2.0
SHARPEN_AMOUNT = 4.0
"""Unsharp mask of the re-read: σ 2 px, amount 4 (the best of the masks and Wiener filters
tried on the synthetic class at its cost, ~3 ms a region; 0264)."""
MIN_CONTRAST = 16.0
"""Below this grey-level spread there are no bars to measure: not called defocused."""


def steepness(gray: Gray) -> float:
    """How steep ``gray``'s steepest edges are: the largest one-pixel step (across or along
    its rows, whichever is steeper) as a share of its contrast; 1.0 without contrast.

    Percentiles come from 256-bin histograms: ``np.percentile`` cost ~2 ms a region, as much
    as the re-read it gates, on every single-view read (profiled, 0264)."""
    if min(gray.shape[:2]) < 2:
        return 1.0
    levels = _histogram(gray)
    contrast = float(_percentile(levels, CONTRAST_PERCENTILES[1]))
    contrast -= _percentile(levels, CONTRAST_PERCENTILES[0])
    if contrast < MIN_CONTRAST:
        return 1.0
    across = _histogram(np.asarray(cv2.absdiff(gray[:, 1:], gray[:, :-1]), dtype=np.uint8))
    along = _histogram(np.asarray(cv2.absdiff(gray[1:, :], gray[:-1, :]), dtype=np.uint8))
    step = max(_percentile(across, EDGE_PERCENTILE), _percentile(along, EDGE_PERCENTILE))
    return step / contrast


def _histogram(gray: Gray) -> npt.NDArray[np.float32]:
    hist = cv2.calcHist([np.ascontiguousarray(gray)], [0], None, [256], [0, 256])
    return np.asarray(hist, dtype=np.float32).ravel()


def _percentile(hist: npt.NDArray[np.float32], percent: float) -> int:
    """The grey level (0–255) below which ``percent`` % of the histogram's pixels lie."""
    cumulative = np.cumsum(hist)
    return int(np.searchsorted(cumulative, cumulative[-1] * percent / 100.0))


def defocused(gray: Gray) -> bool:
    """Whether ``gray`` (a read's region) is soft enough for the sharpened view."""
    return steepness(gray) < STEEPNESS_MAX


def sharpened(gray: Gray) -> Gray:
    """The region as the defocus view sees it: bar edges restored by an unsharp mask."""
    return unsharp(gray, SHARPEN_SIGMA, SHARPEN_AMOUNT)


def reread(roi: Gray) -> list[DecodedSymbol]:
    """pyzbar's reads of ``roi`` sharpened, when ``roi`` is defocused; none otherwise."""
    if not defocused(roi):
        return []
    return decode_pyzbar(sharpened(roi), "second-read-defocus")
