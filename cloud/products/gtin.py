"""GTIN check digits and normalisation to GTIN-14 (EAN-8/13, UPC-A/E all fit)."""

from __future__ import annotations


def check_digit(body: str) -> str:
    """GS1 mod-10 check digit of the digits before it (weights 3,1,3,… from the right)."""
    if not body.isdigit():
        raise ValueError(f"not digits: {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(code: str) -> bool:
    return code.isdigit() and len(code) in (8, 12, 13, 14) and check_digit(code[:-1]) == code[-1]


def upce_to_upca(code: str) -> str:
    """Expand an 8-digit UPC-E (number system 0/1) to its 12-digit UPC-A."""
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = f"{ns}{d[0]}{d[1]}{last}0000{d[2]}{d[3]}{d[4]}"
    elif last == "3":
        body = f"{ns}{d[0]}{d[1]}{d[2]}00000{d[3]}{d[4]}"
    elif last == "4":
        body = f"{ns}{d[0]}{d[1]}{d[2]}{d[3]}00000{d[4]}"
    else:
        body = f"{ns}{d[0]}{d[1]}{d[2]}{d[3]}{d[4]}0000{last}"
    return body + check


def normalize_gtin(code: str) -> str:
    """Any valid EAN-8, UPC-A, EAN-13 or GTIN-14 → 14 digits; ValueError otherwise."""
    code = code.strip()
    if not is_valid_gtin(code):
        raise ValueError(f"not a valid GTIN: {code!r}")
    return code.zfill(14)
