"""The ceiling oracle counts consistently and its transforms keep 8-bit images."""

from __future__ import annotations

import numpy as np

from bench.photo_sets import SETS
from bench.scan_ceiling import Ceiling, variants
from kiosk.scanner.config import Gs1Config


def test_counts_nest_and_every_unread_image_is_explained() -> None:
    ceiling = Ceiling()
    for shot in SETS["heldout"].shots(1, 2):
        if shot.gtin14 is not None:
            ceiling.add(shot, Gs1Config())
    assert ceiling.images == 8
    assert max(ceiling.zxing, ceiling.pyzbar) <= ceiling.union <= ceiling.oracle <= 8
    assert sum(ceiling.how.values()) == ceiling.images - ceiling.union
    assert ceiling.how["nothing"] == ceiling.images - ceiling.oracle
    assert "any transform" in ceiling.line("x")


def test_transforms_are_8_bit_and_keep_or_scale_the_frame() -> None:
    gray = np.full((72, 128), 200, np.uint8)
    seen = dict(variants(gray))
    assert {"clahe", "up2.0", "rot45"} <= set(seen)
    assert all(v.dtype == np.uint8 for v in seen.values())
    assert seen["up2.0"].shape == (144, 256)
    assert seen["rot45"].shape == gray.shape
