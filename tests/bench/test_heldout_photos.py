"""The held-out photo set: GS1 encoder against published examples, determinism, truth, shape."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zxingcpp

from bench.heldout_photos import CLASSES, CONDITIONS, HeldoutPhoto, gs1, photo, photos
from bench.heldout_photos.__main__ import main
from bench.heldout_photos.readrate import read_zbar, read_zxing
from bench.heldout_photos.render import random_code, shoot

# Published GS1 examples: full code with its check digit.
KNOWN = {
    "ean13": ["4006381333931", "5901234123457", "9780201379624"],
    "upca": ["036000291452", "012345678905"],
    "ean8": ["96385074", "40170725"],
}


@pytest.mark.parametrize(("kind", "code"), [(k, c) for k, cs in KNOWN.items() for c in cs])
def test_check_digit_matches_published_examples(kind: str, code: str) -> None:
    assert gs1.check_digit(code[:-1]) == code[-1]
    assert gs1.encode(kind, code).digits == code


def test_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="EAN-13"):
        gs1.encode_ean13("4006381333932")
    with pytest.raises(ValueError, match="UPC-E"):
        gs1.upce_to_upca("04252615")


def test_ean13_bars_of_4006381333931() -> None:
    # first digit 4 -> left-half parity A B A A B B; set A/B/C tables from the GS1 spec
    expected = (
        "101"
        + "0001101" + "0100111" + "0101111" + "0111101" + "0001001" + "0110011"
        + "01010"
        + "1000010" + "1000010" + "1000010" + "1110100" + "1000010" + "1100110"
        + "101"
    )  # fmt: skip
    symbol = gs1.encode_ean13("4006381333931")
    assert symbol.modules == expected
    assert len(symbol.modules) == 95
    assert (symbol.quiet_left, symbol.quiet_right) == (11, 7)


def test_upca_is_ean13_with_leading_zero_and_nine_module_quiet_zones() -> None:
    upca = gs1.encode_upca("036000291452")
    assert upca.modules == gs1.encode_ean13("0036000291452").modules
    assert (upca.quiet_left, upca.quiet_right) == (9, 9)


def test_ean8_bars_of_96385074() -> None:
    expected = (
        "101" + "0001011" + "0101111" + "0111101" + "0110111"
        + "01010"
        + "1001110" + "1110010" + "1000100" + "1011100"
        + "101"
    )  # fmt: skip
    assert gs1.encode_ean8("96385074").modules == expected


@pytest.mark.parametrize(
    ("upce", "upca"),
    [
        ("04252614", "042100005264"),  # last digit 0-2: manufacturer xx d6 00
        ("01234558", "012345000058"),  # last digit 5-9: d1-d5 0000 d6
        ("01234531", "012300000451"),  # last digit 3: d1-d3 00000 d4 d5
        ("01234145", "012340000015"),  # last digit 4: d1-d4 00000 d5
    ],
)
def test_upce_expands_to_upca(upce: str, upca: str) -> None:
    assert gs1.upce_to_upca(upce) == upca
    assert gs1.upce_from_digits(upce[0], upce[1:7]) == upce
    assert gs1.truth_gtin14("upce", upce) == "00" + upca


def test_upce_bars_carry_check_digit_in_parity() -> None:
    # 04252614: number system 0, check 4 -> parity B A B B A A; end guard 010101
    expected = (
        "101"
        + "0011101" + "0010011" + "0111001" + "0011011" + "0101111" + "0011001"
        + "010101"
    )  # fmt: skip
    symbol = gs1.encode_upce("04252614")
    assert symbol.modules == expected
    ns1 = gs1.encode_upce(gs1.upce_from_digits("1", "425261"))
    assert ns1.modules != symbol.modules  # number system 1 inverts the parity pattern
    assert len(ns1.modules) == 51


def test_gtin14_zero_pads() -> None:
    assert gs1.truth_gtin14("ean8", "96385074") == "00000096385074"
    assert gs1.truth_gtin14("upca", "036000291452") == "00036000291452"
    assert gs1.truth_gtin14("ean13", "4006381333931") == "04006381333931"


@pytest.mark.parametrize("kind", ["ean13", "ean8", "upca", "upce"])
def test_random_codes_are_valid(kind: str) -> None:
    import random

    rng = random.Random(kind)
    for _ in range(200):
        code = random_code(kind, rng)
        gtin = gs1.truth_gtin14(kind, code)
        assert len(gtin) == 14
        assert gs1.is_valid(gtin)
        if kind == "ean13":
            assert code[0] != "0"


def test_photo_is_a_pure_function_of_seed_class_index() -> None:
    a, b = photo(5, "upce", 3), photo(5, "upce", 3)
    assert a.gtin14 == b.gtin14
    assert a.conditions == b.conditions
    assert np.array_equal(a.image, b.image)
    other = photo(6, "upce", 3)
    assert not np.array_equal(a.image, other.image)


def test_photos_iterates_every_class_with_valid_truth() -> None:
    got = list(photos(seed=11, per_class=2))
    assert [p.cls for p in got] == [c for c in CLASSES for _ in range(2)]
    for p in got:
        assert isinstance(p, HeldoutPhoto)
        assert p.image.shape == (720, 1280, 3)
        assert p.image.dtype == np.uint8
        assert set(p.conditions) == set(CONDITIONS)
        assert sum(p.conditions[s] for s in ("surface_box", "surface_cylinder", "surface_bag")) == 1
        if p.cls == "none":
            assert p.gtin14 is None
            assert not p.conditions["hri_digits"]
        else:
            assert p.gtin14 is not None
            assert gs1.is_valid(p.gtin14)
            assert len(p.gtin14) == 14


def test_unknown_class_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown class"):
        photo(1, "qr", 0)


@pytest.mark.parametrize("cls", ["ean13", "ean8", "upca", "upce"])
def test_clean_render_decodes_to_truth_with_both_raw_decoders(cls: str) -> None:
    # Our bars are right only if independent decoders read them back when nothing is hard.
    for index in range(2):
        shot = shoot(cls, 21, index, clean=True)
        assert shot.gtin14 is not None
        assert read_zxing(shot.image) == {shot.gtin14}
        assert read_zbar(shot.image) == {shot.gtin14}


def test_clean_none_image_holds_no_code() -> None:
    for index in range(3):
        shot = shoot("none", 21, index, clean=True)
        assert shot.gtin14 is None
        assert zxingcpp.read_barcodes(shot.image) == []


def test_cli_writes_pngs_and_truth(tmp_path: Path) -> None:
    assert main(["--seed", "3", "--per-class", "1", "--out", str(tmp_path)]) == 0
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert [t["cls"] for t in truth] == list(CLASSES)
    for t in truth:
        assert (tmp_path / t["file"]).stat().st_size > 10_000
    assert truth[-1]["gtin14"] is None
    assert truth[0]["gtin14"] == photo(3, "ean13", 0).gtin14


def _bars(modules: str) -> np.ndarray:
    row = np.array([255 if m == "0" else 0 for m in "0" * 12 + modules + "0" * 12], np.uint8)
    return np.ascontiguousarray(np.repeat(np.repeat(row[None, :], 60, 0), 3, 1))


def _both_read(image: np.ndarray) -> tuple[set[str], set[str]]:
    from pyzbar import pyzbar

    return (
        {r.data.decode() for r in pyzbar.decode(image)},
        {r.text for r in zxingcpp.read_barcodes(image)},
    )


@pytest.mark.parametrize("first", "0123456789")
def test_every_leading_digit_of_an_ean13_reads_back(first: str) -> None:
    """The parity table for a leading 6 once read ABBBAB (GS1: ABBBAA): every EAN-13
    starting with 6 was an invalid symbol that decoders "read" as another code."""
    body = first + "20216032974"
    code = body + gs1.check_digit(body)
    zbar, zxing = _both_read(_bars(gs1.encode_ean13(code).modules))
    assert zbar == {code}
    assert zxing == {code}


@pytest.mark.parametrize("check", "0123456789")
def test_every_upce_parity_reads_back(check: str) -> None:
    code = next(
        c
        for six in (f"{n:06d}" for n in range(100, 100_000, 7))
        if (c := gs1.upce_from_digits("0", six)).endswith(check)
    )
    zbar, zxing = _both_read(_bars(gs1.encode_upce(code).modules))
    want = gs1.upce_to_upca(code).zfill(14)
    assert {_as_gtin14(r) for r in zbar} == {want}
    assert {_as_gtin14(r) for r in zxing} == {want}


def _as_gtin14(read: str) -> str:
    return (gs1.upce_to_upca(read) if len(read) == 8 else read).zfill(14)
