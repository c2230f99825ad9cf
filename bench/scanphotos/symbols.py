"""EAN-13, EAN-8, UPC-A and UPC-E drawn from the GS1 General Specifications' bar patterns.

Written from scratch for the held-out photo set: it shares no code with the kiosk scanner or
its test renderer (kiosk/scanner/testing.py lets zxing-cpp write the symbols), so a bug in
either cannot cancel out in the benchmark. A symbol is a string of modules, "1" dark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Kind = Literal["ean13", "ean8", "upca", "upce"]
KINDS: tuple[Kind, ...] = ("ean13", "ean8", "upca", "upce")

# Number set A (odd parity, left half), from GS1 GenSpecs 5.2.1.2.1, table 5.2.1.2.1-1.
_SET_A = (
    "0001101",
    "0011001",
    "0010011",
    "0111101",
    "0100011",
    "0110001",
    "0101111",
    "0111011",
    "0110111",
    "0001011",
)
_SET_C = tuple("".join("1" if m == "0" else "0" for m in a) for a in _SET_A)  # right half
_SET_B = tuple(c[::-1] for c in _SET_C)  # even parity: set C read backwards
# EAN-13: the leading digit is carried by the left half's A/B choice.
_EAN13_PARITY = (
    "AAAAAA",
    "AABABB",
    "AABBAB",
    "AABBBA",
    "ABAABB",
    "ABBAAB",
    "ABBBAA",
    "ABABAB",
    "ABABBA",
    "ABBABA",
)
# UPC-E, number system 0: the check digit is carried by the A/B choice (B = "even").
_UPCE_PARITY_NS0 = (
    "BBBAAA",
    "BBABAA",
    "BBAABA",
    "BBAAAB",
    "BABBAA",
    "BAABBA",
    "BAAABB",
    "BABABA",
    "BABAAB",
    "BAABAB",
)
GUARD = "101"
CENTRE = "01010"
UPCE_END = "010101"
QUIET_MODULES = {"ean13": (11, 7), "upca": (9, 9), "ean8": (7, 7), "upce": (9, 7)}


def gs1_check_digit(payload: str) -> str:
    """Mod-10 check digit: weights 3, 1, 3… from the rightmost payload digit."""
    total = 0
    for position, digit in enumerate(reversed(payload)):
        total += int(digit) * (3 if position % 2 == 0 else 1)
    return str(-total % 10)


def upce_to_upca(number_system: str, six: str) -> str:
    """The 11 UPC-A digits (no check digit) a UPC-E body stands for (GS1 zero suppression)."""
    d1, d2, d3, d4, d5, d6 = list(six)
    if d6 in "012":
        body = d1 + d2 + d6 + "0000" + d3 + d4 + d5
    elif d6 == "3":
        body = d1 + d2 + d3 + "00000" + d4 + d5
    elif d6 == "4":
        body = d1 + d2 + d3 + d4 + "00000" + d5
    else:
        body = d1 + d2 + d3 + d4 + d5 + "0000" + d6
    return number_system + body


@dataclass(frozen=True)
class Symbol:
    """A symbol to draw: its modules, the digits printed under it and the GTIN-14 it means."""

    kind: Kind
    digits: str
    modules: str
    gtin14: str

    @property
    def quiet(self) -> tuple[int, int]:
        return QUIET_MODULES[self.kind]


def _left(digits: str, parity: str) -> str:
    return "".join(
        (_SET_A if p == "A" else _SET_B)[int(d)] for d, p in zip(digits, parity, strict=False)
    )


def _right(digits: str) -> str:
    return "".join(_SET_C[int(d)] for d in digits)


def ean13(digits: str) -> Symbol:
    assert len(digits) == 13
    assert gs1_check_digit(digits[:12]) == digits[12]
    parity = _EAN13_PARITY[int(digits[0])]
    modules = GUARD + _left(digits[1:7], parity) + CENTRE + _right(digits[7:]) + GUARD
    kind: Kind = "upca" if digits[0] == "0" else "ean13"
    return Symbol(kind, digits[1:] if kind == "upca" else digits, modules, "0" + digits)


def ean8(digits: str) -> Symbol:
    assert len(digits) == 8
    assert gs1_check_digit(digits[:7]) == digits[7]
    modules = GUARD + _left(digits[:4], "AAAA") + CENTRE + _right(digits[4:]) + GUARD
    return Symbol("ean8", digits, modules, "000000" + digits)


def upce(number_system: str, six: str) -> Symbol:
    assert number_system in "01"
    assert len(six) == 6
    upca = upce_to_upca(number_system, six)
    check = gs1_check_digit(upca)
    parity = _UPCE_PARITY_NS0[int(check)]
    if number_system == "1":
        parity = parity.translate(str.maketrans("AB", "BA"))
    modules = GUARD + _left(six, parity) + UPCE_END
    return Symbol("upce", number_system + six + check, modules, "00" + upca + check)


def random_symbol(rng: random.Random, kind: Kind) -> Symbol:
    """A random valid symbol; EAN-13 prefixes avoid 0 (UPC-A), 2 (in-store) and 97-99."""

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    if kind == "ean13":
        body = rng.choice("13456789") + digits(11)
        while body[:2] in ("97", "98", "99"):
            body = rng.choice("13456") + digits(11)
        return ean13(body + gs1_check_digit(body))
    if kind == "upca":
        body = "0" + rng.choice("0136789") + rng.choice("123456789") + digits(9)
        return ean13(body + gs1_check_digit(body))
    if kind == "ean8":
        body = rng.choice("13456789") + digits(6)
        return ean8(body + gs1_check_digit(body))
    six = list(digits(6))
    # Canonical zero suppression: the form an encoder prints for that UPC-A.
    if six[5] == "3":
        six[2] = rng.choice("3456789")
    elif six[5] == "4":
        six[3] = rng.choice("123456789")
    elif six[5] in "56789":
        six[4] = rng.choice("123456789")
    return upce(rng.choice("01"), "".join(six))
