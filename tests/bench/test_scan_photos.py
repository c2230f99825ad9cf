"""``python -m bench.scan --photos``: four decoders scored on the same photo-like images."""

from __future__ import annotations

import pytest

from bench.photo_sets import SETS
from bench.scan_photos import DECODERS, ratios, run_seed


@pytest.mark.parametrize("set_name", sorted(SETS))
def test_one_image_per_class_is_scored_for_every_decoder(set_name: str) -> None:
    figures = run_seed(SETS[set_name], seed=1, per_class=1, budget_ms=40.0, retry_share=0.75)
    assert figures["images"] == {"ean13": 1, "ean8": 1, "upca": 1, "upce": 1, "none": 1}
    for name in DECODERS:
        row = figures["decoders"][name]
        assert 0.0 <= row["rate"] <= 1.0
        assert row["ms_median"] > 0
        assert set(row["classes"]) == {"ean13", "ean8", "upca", "upce"}
    union, zxing, pyzbar = (figures["decoders"][d]["read"] for d in ("union", "zxing", "pyzbar"))
    assert union >= max(zxing, pyzbar)
    assert figures["decoders"]["smartstore"]["wrong_images"] == 0
    assert set(ratios(figures)) >= {"vs_best_single", "vs_union", "cpu_vs_zxing"}
