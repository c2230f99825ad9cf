"""Parse the lines bench scales send over serial.

Common formats: ``ST,GS,+  1.234kg`` (stable, gross), ``US,GS,...`` (unstable), ``OL`` (over
load), or a bare number in grams. Unstable and garbled lines give ``None``: the stability
detector downstream only sees readings the scale itself vouched for.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_LINE = re.compile(
    r"^\s*(?:(?P<state>ST|US|OL)\s*,\s*(?:GS|NT|TR)\s*,\s*)?"
    r"(?P<num>[+-]?\s*\d+(?:\.\d+)?)\s*(?P<unit>kg|g)?\s*$",
    re.IGNORECASE,
)
MAX_GRAMS = Decimal(100_000)


def parse_scale_line(raw: bytes | str) -> Decimal | None:
    try:
        text = raw.decode("ascii") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return None
    match = _LINE.match(text.strip("\r\n\x00"))
    if match is None:
        return None
    state = (match.group("state") or "ST").upper()
    if state != "ST":
        return None
    try:
        value = Decimal(match.group("num").replace(" ", ""))
    except InvalidOperation:
        return None
    if (match.group("unit") or "g").lower() == "kg":
        value *= 1000
    if abs(value) > MAX_GRAMS:
        return None
    return value
