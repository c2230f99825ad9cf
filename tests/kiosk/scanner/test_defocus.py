"""Defocused codes get a second view (pyzbar on the region sharpened); wrong codes still none."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.defocus import STEEPNESS_MAX, defocused, reread, steepness
from kiosk.scanner.imaging import unsharp
from kiosk.scanner.pipeline import decode_frame
from kiosk.scanner.retries import cross_check
from kiosk.scanner.second_read import region, second_read
from kiosk.scanner.testing import random_label, render_frame, with_check_digit

DATA = Path(__file__).parent / "data"
SHARP_MISREADS = (
    "upca_as_ean13_local_binarizer",
    "ean13_two_digits_fixed_threshold",
    "upce_in_half_an_ean13",
)
"""Held-out crops whose misreads decision 0262 refuses (test_second_read tells each story)."""


def rendered(seed: int, frame_class: str = "blurred") -> tuple[np.ndarray, Gray, str]:  # type: ignore[type-arg]
    """A synthetic camera frame of an EAN-13 (``bench.scan``'s corpus), its grey, its code."""
    rng = random.Random(seed)
    label = random_label(rng, "ean13")
    frame = render_frame(label, frame_class, rng)
    gray = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.uint8)
    return frame, gray, label.content


def test_a_defocused_read_only_zxing_cpp_made_is_confirmed_by_the_sharpened_view() -> None:
    """Before 0264 nothing confirmed it: pyzbar reads nothing there, zxing-cpp's other
    binarizer nothing, and its own binarizer rescaled is the same view (0262)."""
    _, gray, content = rendered(16)
    found = decode_zxing(gray)
    assert [(s.text, s.binarizer) for s in found] == [(content, "local")]
    assert decode_pyzbar(gray) == []
    assert cross_check(gray, found) == []
    assert defocused(region(gray, found[0]))
    kept = second_read(gray, found)
    assert {s.text for s in kept} == {content}
    assert [s.stage for s in kept] == ["raw", "second-read-defocus"]


def test_the_camera_pipeline_reads_a_defocused_frame_it_used_to_miss() -> None:
    frame, _, content = rendered(32)
    assert content in {s.text for s in decode_frame(frame, budget_ms=10_000.0)}


def _two_wrong_digits(code: str) -> str:
    """Another valid EAN-13: two digits changed, the check digit recomputed."""
    digits = list(code[:12])
    for i in (3, 7):
        digits[i] = str((int(digits[i]) + 5) % 10)
    return with_check_digit("".join(digits))


def test_a_wrong_code_on_a_defocused_region_is_still_refused() -> None:
    """The sharpened view confirms only the code pyzbar itself reads there; a misread with
    two wrong digits (valid check, as held-out seed 32's) finds no backing and is dropped."""
    _, gray, content = rendered(16)
    true = decode_zxing(gray)[0]
    wrong = DecodedSymbol(_two_wrong_digits(content), "ean13", "zxing", box=true.box)
    assert wrong.text != content
    assert {s.text for s in reread(region(gray, true))} == {content}  # the view did read
    assert second_read(gray, [wrong]) == []


def crop(name: str) -> Gray:
    return np.asarray(cv2.imread(str(DATA / f"{name}.png"), cv2.IMREAD_GRAYSCALE), np.uint8)


@pytest.mark.parametrize("name", SHARP_MISREADS)
def test_the_sharp_misreads_0262_refused_never_reach_the_sharpened_view(name: str) -> None:
    assert steepness(crop(name)) > STEEPNESS_MAX
    assert reread(crop(name)) == []


def test_sharpened_harder_pyzbar_repeats_a_misread_which_is_why_the_view_is_gated() -> None:
    """Held-out seed 32 upca#9: zxing-cpp's local binarizer read UPC-A 031127925488 as EAN-13
    0031121985488. Upscaled 1.5× and sharpened harder (σ 2.5, amount 6), pyzbar reads the
    same wrong GTIN: two decoders can agree on sharpened pixels. The gate keeps this crop out."""
    image = crop("upca_as_ean13_local_binarizer")
    big = np.asarray(cv2.resize(image, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC))
    harder = unsharp(np.asarray(big, np.uint8), 2.5, 6.0)
    assert [s.text for s in decode_pyzbar(harder)] == ["031121985488"]
    assert not defocused(image)
    assert reread(image) == []


def test_only_soft_regions_count_as_defocused() -> None:
    for seed in (16, 32):
        _, blurred, _ = rendered(seed)
        _, clean, _ = rendered(seed, "clean")
        read_blurred = decode_zxing(blurred)
        read_clean = decode_zxing(clean) + decode_pyzbar(clean)
        assert read_blurred
        assert read_clean
        assert defocused(region(blurred, read_blurred[0]))
        assert not defocused(region(clean, read_clean[0]))
    assert not defocused(np.full((40, 60), 200, np.uint8))  # no contrast: nothing to measure
