"""Targeted retries: each barcode-like region cut out and tried in the ways photos go wrong.

Profiled on the photo-like set (``python -m bench.scan_stages``, docs/decisions/0245): zxing-cpp
on the top region's crop read twice what it read on the whole frame, at ~5 % of the time; a
whole-frame retry costs as much as the first pass and reads little more. So the first pass
is a quick look at the crops (:data:`QUICK`), and after the whole-frame pass the retries
(:data:`DEEP`) stay on crops: CLAHE (glare, low light), flattened as if on a cylinder (cans,
bottles), pyzbar, upscaled and sharpened (1–1.5 px modules, blur). Each try checks the
deadline first. A zxing-cpp read on a crop is re-read by pyzbar there: a disagreeing second
opinion makes ``verify.screen`` refuse both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import cv2
import numpy as np

from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.imaging import (
    Region,
    find_regions,
    normalise_contrast,
    stretch,
    unsharp,
    unwarp_cylinder,
    upright_crop,
)
from kiosk.scanner.second_read import second_read
from kiosk.scanner.verify import RETAIL

Expired = Callable[[], bool]
CROSS_CHECK_MARGIN = 0.2
"""A zxing read is re-read by pyzbar on its box grown by this share of its width."""


def _upscaled(crop: Gray) -> Gray:
    if crop.size > 400_000:
        return unsharp(crop, 1.0, 4.0)
    big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    return unsharp(np.asarray(big, dtype=np.uint8), 3.0, 3.0)


def _unwarp(half_arc: float) -> Callable[[Gray, float], Gray]:
    return lambda crop, code_width: unwarp_cylinder(crop, code_width, half_arc)


Variant = tuple[str, Callable[[Gray, float], Gray], Literal["local", "fixed"] | None, bool]
"""Stage name, image maker (crop, code width), zxing-cpp binarizer (None: skip), pyzbar too?"""

QUICK: tuple[Variant, ...] = (
    ("crop-local", lambda crop, _: crop, "local", False),
    ("crop", lambda crop, _: stretch(crop), "fixed", False),
)
"""The first pass: on the photo set a crop read as cut read twice what zxing-cpp read on the
whole frame, at a twentieth of its time (bench/scan_stages.py)."""
DEEP: tuple[Variant, ...] = (
    ("crop-clahe", lambda crop, _: normalise_contrast(crop), "fixed", False),
    ("crop-unsharp", lambda crop, _: stretch(unsharp(crop, 1.0, 4.0)), "fixed", False),
    ("crop-cylinder-35", _unwarp(35.0), "local", True),
    ("crop-pyzbar", lambda crop, _: crop, None, True),
    ("crop-upscaled-unsharp", lambda crop, _: _upscaled(crop), "local", True),
    ("crop-cylinder-55", _unwarp(55.0), "local", True),
)
"""The retries after the whole-frame pass: zxing-cpp-only tries first (~1 ms a crop; unsharp
is what reads blurred codes), then those with pyzbar (2–7 ms a crop)."""
VARIANTS = QUICK + DEEP
UNPROCESSED = frozenset({"crop-local", "crop", "crop-pyzbar"})
"""Variants that read the crop's own pixels (at most stretched): a short read from any other
is confirmed on the unprocessed crop (``second_read``'s ``source``)."""


def straighten(gray: Gray, region: Region) -> tuple[Gray, float]:
    """The region cut out with its long axis horizontal, and that axis' length in pixels."""
    crop = upright_crop(gray, region)
    if region.h > region.w:
        return np.ascontiguousarray(np.rot90(crop)), region.h
    return crop, region.w


class Crops:
    """The frame's barcode-like regions, found and cut out once for all the retries."""

    def __init__(self, gray: Gray) -> None:
        self.gray = gray
        self._regions: list[Region] | None = None
        self._crops: list[tuple[Gray, float]] | None = None

    @property
    def regions(self) -> list[Region]:
        if self._regions is None:
            self._regions = find_regions(self.gray)
        return self._regions

    def __iter__(self) -> Iterator[tuple[Gray, float]]:
        if self._crops is None:
            self._crops = [straighten(self.gray, r) for r in self.regions]
        return iter(self._crops)


def decode_regions(
    crops: Crops,
    variants: tuple[Variant, ...],
    use_zxing: bool,
    use_pyzbar: bool,
    expired: Expired,
    max_share: float = 1.0,
) -> list[DecodedSymbol]:
    """Reads from the first region and variant that give any, zxing-cpp's cross-checked.

    Crops over ``max_share`` of the frame are skipped: a region that big (texture, noise)
    costs as much as the whole-frame pass, which looks there anyway.
    """
    limit = crops.gray.size * max_share
    for crop, length in crops:
        if crop.size > limit:
            continue
        for stage, make, binarizer, with_pyzbar in variants:
            if expired():
                return []
            if not ((binarizer and use_zxing) or (with_pyzbar and use_pyzbar)):
                continue
            image = make(crop, length)
            found = []
            if binarizer and use_zxing:
                found = decode_zxing(image, stage, fixed_threshold=binarizer == "fixed")
            if use_pyzbar and (with_pyzbar or found):
                # Cross-check: a disagreeing pyzbar read makes verify refuse both.
                found = found + decode_pyzbar(image, stage)
            found = second_read(image, found, None if stage in UNPROCESSED else crop)
            if found:
                return found
    return []


def cross_check(gray: Gray, symbols: list[DecodedSymbol]) -> list[DecodedSymbol]:
    """pyzbar's reads where zxing-cpp read a retail code (its box, grown): a second opinion."""
    opinions: list[DecodedSymbol] = []
    h, w = gray.shape[:2]
    for symbol in symbols:
        if symbol.symbology not in RETAIL or symbol.box is None or symbol.decoder != "zxing":
            continue
        x0, y0, x1, y1 = symbol.box
        grow = max(24, int((x1 - x0 + y1 - y0) * CROSS_CHECK_MARGIN))
        crop = gray[max(0, y0 - grow) : min(h, y1 + grow), max(0, x0 - grow) : min(w, x1 + grow)]
        if min(crop.shape[:2]) >= 16:
            opinions += decode_pyzbar(np.ascontiguousarray(crop), "cross-check")
    return opinions
