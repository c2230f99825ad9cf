"""The ceiling oracle counts consistently and its transforms keep 8-bit images."""

from __future__ import annotations

import numpy as np

from bench.photo_sets import SETS
from bench.scan_ceiling import Ceiling, decode_opencv, variants
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.testing import Label, render_symbol


def test_counts_nest_and_every_unread_image_is_explained() -> None:
    ceiling = Ceiling()
    for shot in SETS["heldout"].shots(1, 2):
        if shot.gtin14 is not None:
            ceiling.add(shot, Gs1Config())
    assert ceiling.images == 8
    assert max(ceiling.zxing, ceiling.pyzbar) <= ceiling.union <= ceiling.oracle <= 8
    assert ceiling.union <= ceiling.union3 <= ceiling.oracle
    assert ceiling.union <= ceiling.oracle2 <= ceiling.oracle
    assert ceiling.opencv <= ceiling.union3
    assert sum(ceiling.how.values()) == ceiling.images - ceiling.union3
    assert ceiling.how["nothing"] == ceiling.images - ceiling.oracle
    assert "any transform" in ceiling.line("x")


def test_transforms_are_8_bit_and_keep_or_scale_the_frame() -> None:
    gray = np.full((72, 128), 200, np.uint8)
    seen = dict(variants(gray))
    assert {"clahe", "up2.0", "rot45"} <= set(seen)
    assert all(v.dtype == np.uint8 for v in seen.values())
    assert seen["up2.0"].shape == (144, 256)
    assert seen["rot45"].shape == gray.shape


def test_opencv_reads_a_clean_ean13_with_its_own_symbology_name() -> None:
    symbol = render_symbol(Label("ean13", "4006381333931", "04006381333931"), module_px=2)
    gray = np.pad(symbol, 40, constant_values=255)
    reads = decode_opencv(gray)
    assert [(r.text, r.symbology, r.decoder) for r in reads] == [
        ("4006381333931", "ean13", "opencv")
    ]
    assert decode_opencv(np.full((72, 128), 200, np.uint8)) == []
