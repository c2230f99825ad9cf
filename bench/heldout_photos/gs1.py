"""EAN/UPC encoder written from the GS1 General Specifications (section 5.2).

A symbol is returned as a module string ("1" = bar, "0" = space) without quiet
zones, plus the layout needed to print it: quiet-zone widths in modules, which
modules belong to guard patterns (printed longer), and where the human-readable
digits go.
"""

from __future__ import annotations

from dataclasses import dataclass

# Number set A (odd parity, "L"); set C ("R") is its complement; set B ("G") is C reversed.
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
_SET_C = tuple("".join("1" if b == "0" else "0" for b in code) for code in _SET_A)
_SET_B = tuple(code[::-1] for code in _SET_C)

# EAN-13: the first digit is encoded by the A/B pattern of the left half.
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
# UPC-E, number system 0: the check digit is encoded by the A/B pattern of the six digits.
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

_NORMAL_GUARD = "101"
_CENTRE_GUARD = "01010"
_UPCE_END_GUARD = "010101"


@dataclass(frozen=True)
class Symbol:
    """One printable EAN/UPC symbol."""

    kind: str  # "ean13" | "ean8" | "upca" | "upce"
    digits: str  # the digits as printed (13, 8, 12 or 8 for UPC-E incl. number system and check)
    modules: str  # "1" bar / "0" space, no quiet zones
    quiet_left: int  # minimum quiet zone in modules (GS1 figure 5.2.3.4)
    quiet_right: int
    guard_modules: frozenset[int]  # indices of modules that belong to long (guard) bars
    hri: tuple[tuple[str, float, float], ...]  # (text, centre x in modules, relative size)


def check_digit(body: str) -> str:
    """GS1 mod-10 check digit for ``body`` (all digits except the check digit)."""
    if not body.isdigit():
        raise ValueError(f"not digits: {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        weight = 3 if position % 2 == 0 else 1
        total += weight * int(char)
    return str((10 - total % 10) % 10)


def is_valid(code: str) -> bool:
    """True when ``code`` ends in its correct GS1 check digit."""
    return len(code) >= 2 and code.isdigit() and check_digit(code[:-1]) == code[-1]


def gtin14(code: str) -> str:
    """Zero-pad a GTIN-8/12/13 to GTIN-14 (UPC-E must be expanded first)."""
    if len(code) not in (8, 12, 13, 14) or not is_valid(code):
        raise ValueError(f"not a valid GTIN: {code!r}")
    return code.zfill(14)


def _upce_body(ns: str, six: str) -> str:
    """The 11 UPC-A digits (no check) that UPC-E ``ns`` + ``six`` stands for."""
    last = six[5]
    if last in "012":
        body = six[0:2] + last + "0000" + six[2:5]
    elif last == "3":
        body = six[0:3] + "00000" + six[3:5]
    elif last == "4":
        body = six[0:4] + "00000" + six[4]
    else:
        body = six[0:5] + "0000" + last
    return ns + body


def upce_to_upca(upce: str) -> str:
    """Expand an 8-digit UPC-E (number system, six digits, check) to its 12-digit UPC-A."""
    if len(upce) != 8 or not upce.isdigit() or upce[0] not in "01":
        raise ValueError(f"not a UPC-E: {upce!r}")
    upca = _upce_body(upce[0], upce[1:7]) + upce[7]
    if not is_valid(upca):
        raise ValueError(f"UPC-E check digit does not match its expansion: {upce!r}")
    return upca


def upce_from_digits(ns: str, six: str) -> str:
    """Build the full 8-digit UPC-E for number system ``ns`` and six data digits."""
    return ns + six + check_digit(_upce_body(ns, six))


def _guards(spans: list[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for start, stop in spans for i in range(start, stop))


def encode_ean13(code: str) -> Symbol:
    """EAN-13 (also UPC-A, which is an EAN-13 whose first digit is 0)."""
    if len(code) != 13 or not is_valid(code):
        raise ValueError(f"not a valid EAN-13: {code!r}")
    parity = _EAN13_PARITY[int(code[0])]
    left = "".join(
        (_SET_A if p == "A" else _SET_B)[int(c)] for p, c in zip(parity, code[1:7], strict=True)
    )
    right = "".join(_SET_C[int(c)] for c in code[7:13])
    modules = _NORMAL_GUARD + left + _CENTRE_GUARD + right + _NORMAL_GUARD
    guards = _guards([(0, 3), (45, 50), (92, 95)])
    hri = [(code[0], -6.0, 1.0)]
    hri += [(c, 3 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[1:7])]
    hri += [(c, 50 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[7:13])]
    return Symbol("ean13", code, modules, 11, 7, guards, tuple(hri))


def encode_upca(code: str) -> Symbol:
    """UPC-A: same bars as EAN-13 with a leading 0; first and last digit bars are long."""
    if len(code) != 12 or not is_valid(code):
        raise ValueError(f"not a valid UPC-A: {code!r}")
    ean = encode_ean13("0" + code)
    guards = _guards([(0, 10), (45, 50), (85, 95)])
    hri = [(code[0], -5.0, 0.7)]
    hri += [(c, 10 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[1:6])]
    hri += [(c, 50 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[6:11])]
    hri += [(code[11], 100.0, 0.7)]
    return Symbol("upca", code, ean.modules, 9, 9, guards, tuple(hri))


def encode_ean8(code: str) -> Symbol:
    """EAN-8: four set-A digits, centre guard, four set-C digits."""
    if len(code) != 8 or not is_valid(code):
        raise ValueError(f"not a valid EAN-8: {code!r}")
    left = "".join(_SET_A[int(c)] for c in code[0:4])
    right = "".join(_SET_C[int(c)] for c in code[4:8])
    modules = _NORMAL_GUARD + left + _CENTRE_GUARD + right + _NORMAL_GUARD
    guards = _guards([(0, 3), (31, 36), (64, 67)])
    hri = [(c, 3 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[0:4])]
    hri += [(c, 36 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[4:8])]
    return Symbol("ean8", code, modules, 7, 7, guards, tuple(hri))


def encode_upce(code: str) -> Symbol:
    """UPC-E (number system 0 or 1): six digits whose A/B parity carries the check digit."""
    upce_to_upca(code)  # validates number system and check digit
    pattern = _UPCE_PARITY_NS0[int(code[7])]
    if code[0] == "1":
        pattern = "".join("A" if p == "B" else "B" for p in pattern)
    data = "".join(
        (_SET_A if p == "A" else _SET_B)[int(c)] for p, c in zip(pattern, code[1:7], strict=True)
    )
    modules = _NORMAL_GUARD + data + _UPCE_END_GUARD
    guards = _guards([(0, 3), (45, 51)])
    hri = [(code[0], -5.0, 0.7)]
    hri += [(c, 3 + 7 * i + 3.5, 1.0) for i, c in enumerate(code[1:7])]
    hri += [(code[7], 56.0, 0.7)]
    return Symbol("upce", code, modules, 9, 7, guards, tuple(hri))


def encode(kind: str, code: str) -> Symbol:
    """Encode ``code`` as symbology ``kind``."""
    encoders = {
        "ean13": encode_ean13,
        "ean8": encode_ean8,
        "upca": encode_upca,
        "upce": encode_upce,
    }
    return encoders[kind](code)


def truth_gtin14(kind: str, code: str) -> str:
    """The GTIN-14 a scanner should report for ``code`` printed as ``kind``."""
    return gtin14(upce_to_upca(code) if kind == "upce" else code)
