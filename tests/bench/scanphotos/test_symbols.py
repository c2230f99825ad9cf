"""The held-out set's own symbol drawing, checked against GS1's examples and both decoders."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from bench.scanphotos.faces import MODULE, draw_symbol
from bench.scanphotos.symbols import (
    KINDS,
    ean8,
    ean13,
    gs1_check_digit,
    random_symbol,
    upce,
    upce_to_upca,
)
from kiosk.scanner.decoders import decode_pyzbar, decode_zxing


def test_check_digits_of_published_examples() -> None:
    assert gs1_check_digit("400638133393") == "1"  # EAN-13 4006381333931
    assert gs1_check_digit("9638507") == "4"  # EAN-8 96385074
    assert gs1_check_digit("03600029145") == "2"  # UPC-A 036000291452


def test_ean13_modules_follow_the_gs1_layout() -> None:
    symbol = ean13("4006381333931")
    assert len(symbol.modules) == 95
    assert symbol.modules[:3] == "101"
    assert symbol.modules[-3:] == "101"
    assert symbol.modules[45:50] == "01010"
    # first digit 4 → left parity A B A A B B; digit 0 in set A is 0001101
    assert symbol.modules[3:10] == "0001101"
    assert symbol.modules[10:17] == "0100111"  # 0 in set B
    assert symbol.gtin14 == "04006381333931"


def test_upc_a_is_an_ean13_with_a_leading_zero() -> None:
    symbol = ean13("0036000291452")
    assert symbol.kind == "upca"
    assert symbol.digits == "036000291452"
    assert symbol.gtin14 == "00036000291452"


def test_ean8_is_67_modules() -> None:
    symbol = ean8("96385074")
    assert len(symbol.modules) == 67
    assert symbol.gtin14 == "00000096385074"


@pytest.mark.parametrize(
    ("six", "upca"),
    [
        ("123450", "01200000345"),
        ("123453", "01230000045"),
        ("123454", "01234000005"),
        ("123455", "01234500005"),
        ("123459", "01234500009"),
    ],
)
def test_upce_zero_suppression(six: str, upca: str) -> None:
    assert upce_to_upca("0", six) == upca


def test_upce_encodes_its_check_digit_in_parity() -> None:
    symbol = upce("0", "123455")
    expanded = upce_to_upca("0", "123455")
    assert symbol.gtin14 == "00" + expanded + gs1_check_digit(expanded)
    assert len(symbol.modules) == 51
    assert symbol.modules.endswith("010101")


@pytest.mark.parametrize("kind", KINDS)
def test_both_decoders_read_a_flat_render_of_every_kind(kind: str) -> None:
    rng = random.Random(11)
    for _ in range(3):
        symbol = random_symbol(rng, kind)  # type: ignore[arg-type]
        label = draw_symbol(symbol, rng, 40)
        image = np.asarray(
            cv2.resize(label, None, fx=2.5 / MODULE, fy=2.5 / MODULE, interpolation=cv2.INTER_AREA),
            np.uint8,
        )
        image = np.asarray(cv2.copyMakeBorder(image, 20, 20, 20, 20, cv2.BORDER_CONSTANT, 255))
        for reads in (decode_zxing(image), decode_pyzbar(image)):
            assert reads, symbol
