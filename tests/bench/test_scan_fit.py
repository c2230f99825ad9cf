"""The bar_fit oracle reports a small code's GTIN and nothing on a code-free frame."""

from __future__ import annotations

import numpy as np
import pytest

from bench.scan_fit import bar_fit_gtins, main
from kiosk.scanner.config import Gs1Config
from tests.kiosk.scanner.test_bar_fit import small_code_frame


def test_it_reads_a_small_code_and_nothing_in_a_blank_frame() -> None:
    frame, gtin = small_code_frame()
    assert bar_fit_gtins(frame, Gs1Config()) == {gtin}
    assert bar_fit_gtins(np.full((720, 1280), 200, np.uint8), Gs1Config()) == set()


def test_a_seed_prints_the_ceiling_and_what_bar_fit_adds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--seeds", "1", "--per-class", "1"])
    out = capsys.readouterr().out
    assert "any transform" in out
    assert "bar_fit:" in out
    assert "wrong codes" in out
