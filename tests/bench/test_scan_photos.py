"""``python -m bench.scan --photos``: four decoders scored on the same photo-like images."""

from __future__ import annotations

from bench.scan_photos import DECODERS, ratios, run_seed


def test_one_image_per_class_is_scored_for_every_decoder() -> None:
    figures = run_seed(seed=1, per_class=1, budget_ms=40.0, retry_share=0.75)
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
