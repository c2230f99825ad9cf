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


def test_the_images_within_twice_zxing_cpps_median_are_counted() -> None:
    figures = run_seed(SETS["heldout"], seed=1, per_class=2, budget_ms=40.0, retry_share=1.0)
    cheap = figures["cheap_images"]
    assert 0 <= cheap <= 10
    # over half of the images within the bound means the median is within it, and back
    within = figures["decoders"]["smartstore"]["cpu_ms_median"] <= (
        2 * figures["decoders"]["zxing"]["cpu_ms_median"]
    )
    assert within == (cheap > 5) or cheap == 5
