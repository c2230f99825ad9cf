"""How far can any retry strategy built on zxing-cpp and pyzbar go on a photo set?

An oracle, not a scanner: for every code image that neither decoder reads plainly, it tries
a fixed menu of transforms (contrast equalisation, upscaling, sharpening, smoothing,
rotations) with both decoders and both zxing-cpp binarizers, and stops as soon as one of them
yields the image's *true* GTIN. No time budget, and wrong reads are ignored, which no scanner
may do. So the count is an upper bound for a pipeline made of these decoders and transforms,
against which the issue's "1.3× the better single decoder" can be judged on a given set.

A third decoder, OpenCV's ``cv2.barcode`` (EAN/UPC, already installed with OpenCV), is
measured alone and joins the menu's tries: it asks whether another well-kept decoder would
lift the ceiling, not what the scanner does (the scanner does not use it).

    .venv/bin/python -m bench.scan_ceiling [--set heldout] [--seeds 10 11] [--per-class 40]
"""

from __future__ import annotations

import argparse
import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from bench.photo_sets import SETS, Shot
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.imaging import to_gray


def _u8(image: Any) -> Gray:
    return np.asarray(image, dtype=np.uint8)


def variants(gray: Gray) -> Iterator[tuple[str, Gray]]:
    """The transform menu, cheapest first."""
    clahe = _u8(cv2.createCLAHE(2.0, (8, 8)).apply(gray))
    yield "clahe", clahe
    for f in (1.5, 2.0, 3.0):
        yield f"up{f}", _u8(cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC))
    yield "up2+clahe", _u8(cv2.resize(clahe, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    yield "smooth", _u8(cv2.GaussianBlur(gray, (3, 3), 0))
    yield "sharpen", _u8(cv2.addWeighted(gray, 1.8, cv2.GaussianBlur(gray, (0, 0), 2), -0.8, 0))
    h, w = gray.shape
    for angle in (15, 30, 45, 60, 75):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        yield f"rot{angle}", _u8(cv2.warpAffine(gray, m, (w, h), borderValue=255))


def _found(reads: list[DecodedSymbol], gtin: str, gs1: Gs1Config) -> bool:
    return any(interpret(r.text, r.symbology, gs1).gtin == gtin for r in reads)


_OPENCV_NAMES = {"EAN_13": "ean13", "EAN_8": "ean8", "UPC_A": "upca", "UPC_E": "upce"}


@functools.cache
def _opencv_detector() -> Any:
    return cv2.barcode.BarcodeDetector()


def decode_opencv(gray: Gray) -> list[DecodedSymbol]:
    """OpenCV's own EAN/UPC decoder (``cv2.barcode``) on ``gray``."""
    _ok, texts, kinds, _corners = _opencv_detector().detectAndDecodeWithType(gray)
    return [
        DecodedSymbol(text=t, symbology=_OPENCV_NAMES.get(k, k.lower()), decoder="opencv")
        for t, k in zip(texts or (), kinds or (), strict=False)
        if t
    ]


def _reads(gray: Gray, gtin: str, gs1: Gs1Config) -> str | None:
    """Which decoder (if any) finds ``gtin`` in ``gray``."""
    tries: list[tuple[str, Callable[[], list[DecodedSymbol]]]] = [
        ("zxing", lambda: decode_zxing(gray)),
        ("zxing-fixed", lambda: decode_zxing(gray, fixed_threshold=True)),
        ("pyzbar", lambda: decode_pyzbar(gray)),
        ("opencv", lambda: decode_opencv(gray)),
    ]
    for name, reads in tries:
        if _found(reads(), gtin, gs1):
            return name
    return None


@dataclass
class Ceiling:
    images: int = 0
    zxing: int = 0
    pyzbar: int = 0
    union: int = 0
    opencv: int = 0
    union3: int = 0
    oracle: int = 0
    how: Counter[str] = field(default_factory=Counter)

    def add(self, shot: Shot, gs1: Gs1Config) -> None:
        assert shot.gtin14 is not None
        gray = to_gray(np.asarray(shot.image, dtype=np.uint8))
        zx = _found(decode_zxing(gray), shot.gtin14, gs1)
        zb = _found(decode_pyzbar(gray), shot.gtin14, gs1)
        self.images += 1
        self.zxing += zx
        self.pyzbar += zb
        cv = _found(decode_opencv(gray), shot.gtin14, gs1)
        self.union += zx or zb
        self.opencv += cv
        self.union3 += zx or zb or cv
        if zx or zb or cv:
            self.oracle += 1
            return
        for name, image in (("raw", gray), *variants(gray)):  # raw: the fixed threshold
            decoder = _reads(image, shot.gtin14, gs1)
            if decoder is not None:
                self.oracle += 1
                self.how[f"{decoder} on {name}"] += 1
                return
        self.how["nothing"] += 1

    def line(self, label: str) -> str:
        best = max(self.zxing, self.pyzbar, 1)
        return (
            f"{label}: {self.images} code images; zxing-cpp {self.zxing}, pyzbar {self.pyzbar}, "
            f"union {self.union} ({self.union / best:.2f}× best single); opencv {self.opencv}, "
            f"union of three {self.union3} ({self.union3 / best:.2f}×); any transform "
            f"{self.oracle} ({self.oracle / best:.2f}× best single, "
            f"{self.oracle / max(1, self.union):.2f}× union)"
        )


def photo_set_args(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """``--set``, ``--seeds`` and ``--per-class``: the photo-set oracles' common arguments."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), default="heldout")
    parser.add_argument("--seeds", type=int, nargs="+", default=[10, 11])
    parser.add_argument("--per-class", type=int, default=40)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = photo_set_args(__doc__, argv)
    gs1 = Gs1Config()
    for seed in args.seeds:
        ceiling = Ceiling()
        for shot in SETS[args.set].shots(seed, args.per_class):
            if shot.gtin14 is not None:
                ceiling.add(shot, gs1)
        print(ceiling.line(f"{args.set} seed {seed}"), flush=True)
        print(f"  read only after a transform: {dict(ceiling.how.most_common())}")


if __name__ == "__main__":
    main()
