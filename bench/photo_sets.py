"""The photo sets ``bench.scan_photos`` scores, behind one shape.

- ``made``: bench/scanphotos, drawn by the same hands that tuned the scanner (a tuning set);
- ``heldout``: bench/heldout_photos, written clean-room by someone who never read the scanner
  or the made set, with their own phenomena and ranges. Its figures are the ones that count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shot:
    """One image and its truth (``gtin14`` None for code-free images)."""

    cls: str
    index: int
    seed: int
    gtin14: str | None
    image: np.ndarray
    conditions: dict[str, bool]


@dataclass(frozen=True)
class PhotoSet:
    name: str
    provenance: str
    classes: tuple[str, ...]
    shots: Callable[[int, int], Iterator[Shot]]


def _made(seed: int, per_class: int) -> Iterator[Shot]:
    from bench.scanphotos.dataset import photos

    for p in photos(seed, per_class):
        yield Shot(p.cls, p.index, p.seed, p.gtin14, p.image, p.conditions())


def _heldout(seed: int, per_class: int) -> Iterator[Shot]:
    from bench.heldout_photos import photos

    for p in photos(seed, per_class):
        yield Shot(p.cls, p.index, p.seed, p.gtin14, p.image, dict(p.conditions))


CLASSES = ("ean13", "ean8", "upca", "upce", "none")
SETS: dict[str, PhotoSet] = {
    "made": PhotoSet(
        "made",
        "bench/scanphotos: made, by the scanner's authors (the set it was tuned on)",
        CLASSES,
        _made,
    ),
    "heldout": PhotoSet(
        "heldout",
        "bench/heldout_photos: made clean-room by a helper who never read the scanner "
        "(held out: never tuned on)",
        CLASSES,
        _heldout,
    ),
}
