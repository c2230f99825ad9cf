"""The model-based reader reads 1.0–1.4 px modules the decoders miss, and refuses to guess."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from kiosk.scanner import bar_fit
from kiosk.scanner.bar_profile import fine_regions
from kiosk.scanner.config import CameraScannerConfig
from kiosk.scanner.decoders import Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.imaging import Region, find_regions
from kiosk.scanner.pipeline import decode_frame
from kiosk.scanner.testing import Label, render_symbol, with_check_digit
from kiosk.scanner.verify import retail_gtin

DATA = Path(__file__).parent / "data"


def small(symbol: Gray, module_px: float, blur: float, seed: int) -> Gray:
    """``symbol`` (10 px modules) at ``module_px`` on a 400 × 200 grey card, blurred, noisy,
    at 60 % contrast: what the kiosk camera sees of a small code."""
    image = cv2.resize(
        symbol.astype(np.float32), None, fx=module_px / 10, fy=module_px / 10,
        interpolation=cv2.INTER_AREA,
    )  # fmt: skip
    canvas = np.full((200, 400), 255.0, np.float32)
    h, w = image.shape
    canvas[50 : 50 + h, (400 - w) // 2 : (400 - w) // 2 + w] = image
    canvas = cv2.GaussianBlur(canvas, (0, 0), blur) * 0.6 + 40
    canvas += np.random.default_rng(seed).normal(0, 6, canvas.shape)
    return np.clip(canvas, 0, 255).astype(np.uint8)


def code(kind: str, seed: int) -> tuple[Gray, str]:
    """A random ``kind`` code (10 px modules) and the GTIN-14 it carries."""
    rng = random.Random(seed)
    if kind == "upce":
        text = "0" + "".join(str(rng.randrange(10)) for _ in range(5)) + str(rng.randrange(3))
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.UPCE)
        symbol = np.asarray(barcode.to_image(scale=10, add_quiet_zones=True), np.uint8)
        symbol = cv2.resize(symbol, (symbol.shape[1], 300), interpolation=cv2.INTER_NEAREST)
        content = barcode.text
        return np.asarray(symbol), retail_gtin(content, "upce") or ""
    n = {"ean13": 12, "ean8": 7, "upca": 11}[kind]
    payload = str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))
    digits = with_check_digit(payload)
    return render_symbol(Label(kind, digits, digits.zfill(14)), 10), digits.zfill(14)  # type: ignore[arg-type]


def whole(image: Gray) -> Region:
    """A region around the card's code, as a finder would report it."""
    ys, xs = np.nonzero(image < 120)
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    return Region(cx, cy, (xs.max() - xs.min()) * 0.9, (ys.max() - ys.min()) * 0.9, 0.0, 1.0)


@pytest.mark.parametrize(
    ("kind", "seed", "module_px"),
    [("ean13", 1, 1.05), ("ean13", 2, 1.3), ("upca", 3, 1.2), ("ean8", 4, 1.1), ("upce", 5, 1.35)],
)
def test_a_small_code_is_read_right(kind: str, seed: int, module_px: float) -> None:
    symbol, gtin = code(kind, seed)
    image = small(symbol, module_px, 0.7, seed)
    found = bar_fit.read_region(image, whole(image))
    assert [retail_gtin(s.text, s.symbology) for s in found] == [gtin]
    assert found[0].decoder == "bar-fit"


def test_it_reads_what_neither_decoder_reads() -> None:
    """1.05 px modules: zxing-cpp and pyzbar read nothing on the whole card, it does."""
    symbol, gtin = code("ean13", 11)
    image = small(symbol, 1.05, 0.8, 11)
    assert not decode_zxing(image)
    assert not decode_pyzbar(image)
    assert [retail_gtin(s.text, s.symbology) for s in bar_fit.read_region(image, whole(image))] == [
        gtin
    ]


def small_code_frame() -> tuple[Gray, str]:
    symbol, gtin = code("ean13", 11)
    frame = np.full((720, 1280), 200, np.uint8)
    frame[260:460, 440:840] = small(symbol, 1.05, 0.8, 11)
    return frame, gtin


def test_the_pipeline_reads_it_in_its_last_stage() -> None:
    frame, gtin = small_code_frame()
    found = decode_frame(frame, budget_ms=2000.0)
    assert [(retail_gtin(s.text, s.symbology), s.stage) for s in found] == [(gtin, "bar-fit")]
    assert fine_regions(frame)  # found where the half-size finder may not look


def test_the_camera_runs_it_only_with_a_fit_share() -> None:
    """With a retry share (the camera) it costs more than the share leaves (0267): off
    unless ``fit_share`` grants it time of its own, and off by default."""
    assert CameraScannerConfig.model_fields["fit_share"].default is None
    frame, gtin = small_code_frame()
    assert decode_frame(frame, budget_ms=2000.0, retry_share=1.0) == []
    found = decode_frame(frame, budget_ms=2000.0, retry_share=1.0, fit_share=1000.0)
    assert [retail_gtin(s.text, s.symbology) for s in found] == [gtin]


def test_halves_that_read_different_codes_refuse() -> None:
    """Two codes stacked (top half of the bars one code, bottom half another): each half is
    one view, and two views that disagree are no read."""
    top, _ = code("ean13", 21)
    bottom, _ = code("ean13", 22)
    h = top.shape[0] // 2
    stacked = np.vstack([top[: h - 20], bottom[h + 20 :]])
    image = small(stacked, 1.3, 0.6, 21)
    assert bar_fit.read_region(image, whole(image)) == []


def test_a_code_blurred_past_its_modules_is_refused_not_guessed() -> None:
    for seed in range(5):
        symbol, _ = code("ean13", 30 + seed)
        image = small(symbol, 1.0, 2.2, seed)
        assert bar_fit.read_region(image, whole(image)) == []


def test_bars_without_a_code_read_nothing() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        widths = rng.integers(1, 5, size=60)
        modules = np.concatenate([np.full(w, i % 2) for i, w in enumerate(widths)])
        bars = np.repeat(1 - modules[None, :], 300, axis=0).astype(np.uint8) * 255
        bars = np.repeat(bars, 10, axis=1)
        symbol = cv2.copyMakeBorder(bars, 0, 0, 100, 100, cv2.BORDER_CONSTANT, value=255)
        image = small(np.asarray(symbol, np.uint8), 1.2, 0.6, 7)
        assert bar_fit.read_region(image, whole(image)) == []


@pytest.mark.parametrize(
    ("name", "truth"),
    [
        ("upca_as_ean13_local_binarizer", "00031127925488"),
        ("ean13_two_digits_fixed_threshold", "00948206084380"),
        ("upce_in_half_an_ean13", "06765119727869"),
    ],
)
def test_held_out_crops_the_decoders_misread_give_no_wrong_code(name: str, truth: str) -> None:
    """The three held-out misreads 0262 refuses: here the right code or nothing."""
    image = np.asarray(cv2.imread(str(DATA / f"{name}.png"), cv2.IMREAD_GRAYSCALE), np.uint8)
    found = bar_fit.read_frame(image, find_regions(image), lambda: False)
    assert {retail_gtin(s.text, s.symbology) for s in found} <= {truth}
