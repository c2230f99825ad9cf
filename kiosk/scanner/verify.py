"""Never a wrong code: every EAN/UPC read is checked, and reads that disagree are refused.

A decoder's retail read is kept only when its digits fit its symbology (EAN-13: 13, UPC-A:
12 or 13 with a leading 0, EAN-8: 8, UPC-E: 8 or its 12/13-digit expansion) and the GS1
check digit holds (a UPC-E through its zero-suppressed UPC-A). Reads of one frame are then
compared as GTIN-14s: when two retail reads disagree the frame's retail reads are all
refused, since the pipeline cannot tell which decoder saw the real code (``agreed`` is what
a later stage must then show: one code read by both decoders). The one exception
0040 measured: a UPC-E or EAN-8 that a decoder found beside its own longer EAN-13/UPC-A
read of the same frame is that code misread in part, and only the short read is dropped.
A short read from the *other* decoder is a second opinion that disagrees, and refuses the
frame: on the held-out photo set pyzbar's cross-check of a crop answered UPC-E where
zxing-cpp had misread an EAN-13, and dropping the short read let the wrong EAN-13 through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NamedTuple

from kiosk.scanner.decoders import DecodedSymbol

log = logging.getLogger(__name__)

RETAIL = frozenset({"ean13", "upca", "upce", "ean8"})
SHORT = frozenset({"upce", "ean8"})
_LENGTHS = {"ean13": (13,), "upca": (12, 13), "ean8": (8,), "upce": (8, 12, 13)}


def check_digit_ok(digits: str) -> bool:
    """GS1 mod-10: weights 3, 1, 3… from the digit left of the check digit."""
    body, check = digits[:-1], digits[-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(check)


def upce_to_upca(digits: str) -> str | None:
    """8-digit UPC-E (number system 0/1, six digits, check) as its 12-digit UPC-A, or None."""
    if len(digits) != 8 or digits[0] not in "01":
        return None
    ns, six, check = digits[0], digits[1:7], digits[7]
    last = six[5]
    if last in "012":
        body = six[0:2] + last + "0000" + six[2:5]
    elif last == "3":
        body = six[0:3] + "00000" + six[3:5]
    elif last == "4":
        body = six[0:4] + "00000" + six[4]
    else:
        body = six[0:5] + "0000" + last
    upca = ns + body + check
    return upca if check_digit_ok(upca) else None


def retail_gtin(text: str, symbology: str) -> str | None:
    """GTIN-14 of a retail read whose length, symbology and check digit agree; else None."""
    if not (text.isascii() and text.isdigit()) or len(text) not in _LENGTHS[symbology]:
        return None
    if symbology == "upce" and len(text) == 8:
        expanded = upce_to_upca(text)
        return None if expanded is None else expanded.zfill(14)
    if symbology in ("upca", "upce") and len(text) == 13 and text[0] != "0":
        return None
    return text.zfill(14) if check_digit_ok(text) else None


class Screened(NamedTuple):
    """What passed, and whether retail reads were refused for disagreeing."""

    kept: list[DecodedSymbol]
    refused: bool


def screen(symbols: Iterable[DecodedSymbol]) -> Screened:
    """``symbols`` less retail reads that fail their check or disagree (see module doc)."""
    kept: list[DecodedSymbol] = []
    retail: list[tuple[DecodedSymbol, str]] = []
    for symbol in symbols:
        if symbol.symbology not in RETAIL:
            kept.append(symbol)
            continue
        gtin = retail_gtin(symbol.text, symbol.symbology)
        if gtin is None:
            log.debug("refused %s %r: check failed", symbol.symbology, symbol.text)
            continue
        retail.append((symbol, gtin))
    long_reads = {g for s, g in retail if s.symbology not in SHORT}
    long_readers = {s.decoder for s, g in retail if s.symbology not in SHORT}
    if long_reads:
        retail = [
            (s, g)
            for s, g in retail
            if s.symbology not in SHORT or g in long_reads or s.decoder not in long_readers
        ]
    gtins = {g for _, g in retail}
    if len(gtins) > 1:
        log.info("refused disagreeing reads %s", sorted(gtins))
        return Screened(kept, True)
    return Screened(kept + [s for s, _ in retail], False)


def agreed(symbols: Iterable[DecodedSymbol]) -> list[DecodedSymbol]:
    """Non-retail reads, and retail reads whose GTIN-14 both decoders reported.

    Only when no retail read among ``symbols`` disagrees: two decoders that agree on a code
    while one of them also reads another in the same stage have misread the same bars (seen
    on the held-out set: a motion-blurred UPC-E read wrong by both along its top rows, right
    by zxing-cpp along its bottom rows).
    """
    symbols = list(symbols)
    if screen(symbols).refused:
        return [s for s in symbols if s.symbology not in RETAIL]
    readers: dict[str, set[str]] = {}
    for symbol in symbols:
        if symbol.symbology in RETAIL and (g := retail_gtin(symbol.text, symbol.symbology)):
            readers.setdefault(g, set()).add(symbol.decoder)
    return [
        s
        for s in symbols
        if s.symbology not in RETAIL
        or len(readers.get(retail_gtin(s.text, s.symbology) or "", ())) >= 2
    ]
