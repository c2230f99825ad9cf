"""Held-out photo-like EAN/UPC evaluation set, written clean-room (see README.md).

from bench.heldout_photos import CLASSES, photos
for p in photos(seed=1, per_class=40): ...

python -m bench.heldout_photos --seed 7 --per-class 5 --out DIR
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bench.heldout_photos.render import CONDITIONS, shoot

CLASSES = ("ean13", "ean8", "upca", "upce", "none")


@dataclass(frozen=True)
class HeldoutPhoto:
    """One frame and its truth: the GTIN-14 to read (None: nothing to read)."""

    cls: str
    index: int
    seed: int
    gtin14: str | None
    image: NDArray[np.uint8]  # BGR, 720x1280x3
    conditions: dict[str, bool]


def photo(seed: int, cls: str, index: int) -> HeldoutPhoto:
    """Photo ``index`` of class ``cls``: a pure function of (seed, cls, index)."""
    if cls not in CLASSES:
        raise ValueError(f"unknown class {cls!r}; expected one of {CLASSES}")
    shot = shoot(cls, seed, index)
    return HeldoutPhoto(cls, index, seed, shot.gtin14, shot.image, shot.conditions)


def photos(seed: int, per_class: int) -> Iterator[HeldoutPhoto]:
    """``per_class`` photos of every class, class by class."""
    for cls in CLASSES:
        for index in range(per_class):
            yield photo(seed, cls, index)


__all__ = ["CLASSES", "CONDITIONS", "HeldoutPhoto", "photo", "photos"]
