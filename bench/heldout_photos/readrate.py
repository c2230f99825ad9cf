"""Difficulty check: how often the raw third-party decoders alone read the set.

    python -m bench.heldout_photos.readrate --seed 1 --per-class 40

zxing-cpp and pyzbar are called directly (no project code), on the whole frame,
EAN/UPC formats only. A read counts when its GTIN-14 equals the truth; any other
EAN/UPC result is a wrong read (on "none" images every result is wrong).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np
import zxingcpp
from numpy.typing import NDArray
from pyzbar import pyzbar

from bench.heldout_photos import CLASSES, CONDITIONS, photos
from bench.heldout_photos.gs1 import upce_to_upca

Decoder = Callable[[NDArray[np.uint8]], set[str]]


def _to_gtin14(fmt: str, text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    if "UPCE" in fmt.upper().replace("-", "") and len(digits) == 8:
        try:
            digits = upce_to_upca(digits)
        except ValueError:
            return "bad-upce:" + digits
    return digits.zfill(14)


def read_zxing(image: NDArray[np.uint8]) -> set[str]:
    fmt = zxingcpp.BarcodeFormat
    formats = zxingcpp.BarcodeFormats([fmt.EAN13, fmt.EAN8, fmt.UPCA, fmt.UPCE])
    results = zxingcpp.read_barcodes(image, formats=formats, text_mode=zxingcpp.TextMode.Plain)
    return {_to_gtin14(str(r.format), r.text) for r in results}


def read_zbar(image: NDArray[np.uint8]) -> set[str]:
    gray = np.ascontiguousarray(image.mean(axis=2).astype(np.uint8))
    symbols = [pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.EAN8, pyzbar.ZBarSymbol.UPCA]
    symbols.append(pyzbar.ZBarSymbol.UPCE)
    results = pyzbar.decode(gray, symbols=symbols)
    return {_to_gtin14(r.type, r.data.decode("ascii", "replace")) for r in results}


DECODERS: dict[str, Decoder] = {"zxing-cpp": read_zxing, "pyzbar": read_zbar}


def run(seed: int, per_class: int) -> None:
    """Print per-class and per-condition read rates of each raw decoder."""
    reads: dict[str, Counter[str]] = {name: Counter() for name in DECODERS}
    wrong: dict[str, Counter[str]] = {name: Counter() for name in DECODERS}
    by_cond: dict[str, dict[str, list[int]]] = {n: defaultdict(lambda: [0, 0]) for n in DECODERS}
    started = time.monotonic()
    for p in photos(seed, per_class):
        for name, decode in DECODERS.items():
            got = decode(p.image)
            ok = p.gtin14 is not None and p.gtin14 in got
            reads[name][p.cls] += ok
            wrong[name][p.cls] += any(g != p.gtin14 for g in got)
            if p.gtin14 is not None:
                for cond in (c for c, on in p.conditions.items() if on):
                    by_cond[name][cond][0] += ok
                    by_cond[name][cond][1] += 1
    print(f"seed {seed}, {per_class} per class, {time.monotonic() - started:.0f} s")
    header = "".join(f"{c:>8}" for c in CLASSES)
    print(f"{'decoder':<12}{header}   codes   (read %; none: false-positive images)")
    for name in DECODERS:
        rates = [100.0 * reads[name][c] / per_class for c in CLASSES[:-1]]
        total = sum(reads[name][c] for c in CLASSES[:-1]) / (per_class * (len(CLASSES) - 1))
        row = "".join(f"{v:8.0f}" for v in rates) + f"{wrong[name]['none']:8d}"
        print(f"{name:<12}{row}   {100 * total:5.1f}")
        bad = sum(wrong[name][c] for c in CLASSES[:-1])
        print(f"{'':<12}wrong reads on code images: {bad}")
    print("read % by condition (images with the condition):")
    for cond in CONDITIONS:
        parts: list[str] = []
        for name in DECODERS:
            hits, n = by_cond[name][cond]
            parts.append(f"{name} {100.0 * hits / n:5.1f}% of {n:3d}" if n else f"{name}   -")
        print(f"  {cond:<18}" + "   ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.heldout_photos.readrate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-class", type=int, default=40)
    args = parser.parse_args(argv)
    run(args.seed, args.per_class)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
