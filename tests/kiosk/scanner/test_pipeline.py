"""The decode pipeline on rendered 1280×720 frames, through the real zxing-cpp and pyzbar."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kiosk.scanner.config import Gs1Config, Roi
from kiosk.scanner.decoders import decode_pyzbar, decode_zxing, load_pyzbar
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.pipeline import decode_frame, find_regions, to_gray
from kiosk.scanner.testing import FRAME_CLASSES, Label, random_label, render_frame

GS1 = Gs1Config()
NO_BUDGET = 10_000.0  # deterministic: every stage runs whatever the machine load


def gtins(symbols: list) -> set[str | None]:  # type: ignore[type-arg]
    return {interpret(s.text, s.symbology, GS1).gtin for s in symbols}


def test_libzbar_is_installed() -> None:
    assert load_pyzbar() is not None


@pytest.mark.parametrize("kind", ["ean13", "upca", "ean8", "gs1_datamatrix", "gs1_digital_link"])
def test_clean_frames_of_every_symbol_kind(kind: str) -> None:
    rng = random.Random(kind)
    for _ in range(3):
        label = random_label(rng, kind)  # type: ignore[arg-type]
        frame = render_frame(label, "clean", rng)
        assert label.gtin in gtins(decode_frame(frame, budget_ms=NO_BUDGET))


def test_gs1_datamatrix_keeps_its_expiry_through_the_pipeline() -> None:
    label = Label("gs1_datamatrix", "(01)09506000134352(17)200131(10)LOT42", "09506000134352")
    frame = render_frame(label, "clean", random.Random(3))
    symbols = decode_frame(frame, budget_ms=NO_BUDGET)
    codes = [interpret(s.text, s.symbology, GS1) for s in symbols]
    assert [(c.gtin, c.expiry and c.expiry.isoformat(), c.lot) for c in codes] == [
        ("09506000134352", "2020-01-31", "LOT42")
    ]
    assert codes[0].symbology == "gs1_datamatrix"


@pytest.mark.parametrize("frame_class", FRAME_CLASSES)
def test_pipeline_reads_at_least_what_each_decoder_reads(frame_class: str) -> None:
    rng = random.Random(frame_class)
    pipeline = zxing = pyzbar = 0
    for _ in range(4):
        label = random_label(rng, "ean13")
        frame = render_frame(label, frame_class, rng)
        gray = to_gray(frame)
        pipeline += label.gtin in gtins(decode_frame(frame, budget_ms=NO_BUDGET))
        zxing += label.gtin in gtins(decode_zxing(gray))
        pyzbar += label.gtin in gtins(decode_pyzbar(gray))
    assert pipeline >= max(zxing, pyzbar)
    assert pipeline >= 2, f"{frame_class}: pipeline read only {pipeline}/4"


def test_regions_find_a_rotated_code() -> None:
    rng = random.Random(45)
    label = random_label(rng, "ean13")
    frame = render_frame(label, "rot45", rng, centre=(900.0, 300.0))
    regions = find_regions(to_gray(frame))
    assert regions
    assert any(abs(r.cx - 900) < 120 and abs(r.cy - 300) < 120 for r in regions)


def test_roi_limits_where_the_pipeline_looks() -> None:
    rng = random.Random(7)
    label = random_label(rng, "ean13")
    frame = render_frame(label, "clean", rng, centre=(320.0, 360.0))  # left half
    left, right = Roi(x=0, y=0, w=0.5, h=1), Roi(x=0.5, y=0, w=0.5, h=1)
    assert label.gtin in gtins(decode_frame(frame, roi=left, budget_ms=NO_BUDGET))
    assert decode_frame(frame, roi=right, budget_ms=NO_BUDGET) == []


def test_frame_without_a_code_gives_nothing() -> None:
    empty = np.full((720, 1280, 3), 128, np.uint8)
    assert decode_frame(empty, budget_ms=NO_BUDGET) == []


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((1, 1, 3), np.uint8),
        np.zeros((720, 1280, 2), np.uint8),
        np.zeros((720, 1280), np.float64),
        np.zeros((720, 1280, 3, 1), np.uint8),
        np.random.default_rng(1).integers(0, 255, (720, 1280, 4), dtype=np.uint8),
        np.random.default_rng(2).integers(0, 255, (64, 5000), dtype=np.uint8),
    ],
)
def test_malformed_frames_do_not_crash(frame: np.ndarray) -> None:  # type: ignore[type-arg]
    assert isinstance(decode_frame(frame, budget_ms=NO_BUDGET), list)


def test_only_the_configured_decoder_runs() -> None:
    rng = random.Random(11)
    label = random_label(rng, "ean13")
    frame = render_frame(label, "clean", rng)
    symbols = decode_frame(frame, ["pyzbar"], budget_ms=NO_BUDGET)
    assert symbols
    assert {s.decoder for s in symbols} == {"pyzbar"}
