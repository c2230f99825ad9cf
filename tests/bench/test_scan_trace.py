"""``python -m bench.scan_trace``: one outcome per image, consistent with what was read."""

from __future__ import annotations

from bench.scan_trace import traces


def test_every_image_gets_an_outcome_that_fits_its_reads() -> None:
    seen = list(traces("heldout", seed=10, per_class=1, budget_ms=40.0, retry_share=1.0))
    assert [t.shot.cls for t in seen] == ["ean13", "ean8", "upca", "upce", "none"]
    for trace in seen:
        assert trace.outcome in {"read", "lost", "wrong", "missed", "free"}
        assert (trace.outcome == "free") == (trace.shot.gtin14 is None)
        if trace.outcome == "lost":
            assert any(trace.single.values())
        if trace.outcome == "read":
            assert trace.reads
        assert trace.cpu_ratio > 0
        assert trace.shot.cls in trace.line()
