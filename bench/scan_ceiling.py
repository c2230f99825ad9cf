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
import statistics
import time
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


TWO = ("zxing", "zxing-fixed", "pyzbar")
"""The issue's two decoders (zxing-cpp through both binarizers, pyzbar): the ceiling proper."""
_DECODE: dict[str, Callable[[Gray], list[DecodedSymbol]]] = {
    "zxing": decode_zxing,
    "zxing-fixed": lambda gray: decode_zxing(gray, fixed_threshold=True),
    "pyzbar": decode_pyzbar,
    "opencv": decode_opencv,
}


def _reads(gray: Gray, gtin: str, gs1: Gs1Config, names: tuple[str, ...]) -> str | None:
    """Which of the decoders ``names`` (if any) finds ``gtin`` in ``gray``."""
    return next((name for name in names if _found(_DECODE[name](gray), gtin, gs1)), None)


def _menu(gray: Gray, gtin: str, gs1: Gs1Config, names: tuple[str, ...]) -> str | None:
    """The first "decoder on transform" of the menu that finds ``gtin``, if any."""
    for name, image in (("raw", gray), *variants(gray)):  # raw: the fixed threshold
        decoder = _reads(image, gtin, gs1, names)
        if decoder is not None:
            return f"{decoder} on {name}"
    return None


def _timed(
    decode: Callable[[Gray], list[DecodedSymbol]], gray: Gray
) -> tuple[list[DecodedSymbol], float]:
    start = time.process_time()
    reads = decode(gray)
    return reads, (time.process_time() - start) * 1000


@dataclass
class Ceiling:
    """Counts of code images read: plainly by each decoder, and by the menu of transforms
    with the two decoders (``oracle2``) and with OpenCV's too (``oracle``)."""

    images: int = 0
    zxing: int = 0
    pyzbar: int = 0
    union: int = 0
    opencv: int = 0
    union3: int = 0
    oracle2: int = 0
    oracle: int = 0
    how: Counter[str] = field(default_factory=Counter)
    ms: dict[str, list[float]] = field(default_factory=lambda: {"zxing": [], "opencv": []})

    def add(self, shot: Shot, gs1: Gs1Config) -> None:
        assert shot.gtin14 is not None
        gtin = shot.gtin14
        gray = to_gray(np.asarray(shot.image, dtype=np.uint8))
        zx_reads, zx_ms = _timed(decode_zxing, gray)
        cv_reads, cv_ms = _timed(decode_opencv, gray)
        self.ms["zxing"].append(zx_ms)
        self.ms["opencv"].append(cv_ms)
        zx = _found(zx_reads, gtin, gs1)
        zb = _found(decode_pyzbar(gray), gtin, gs1)
        cv = _found(cv_reads, gtin, gs1)
        self.images += 1
        self.zxing += zx
        self.pyzbar += zb
        self.opencv += cv
        self.union += zx or zb
        self.union3 += zx or zb or cv
        how = None if zx or zb else _menu(gray, gtin, gs1, TWO)
        if zx or zb or how is not None:
            self.oracle2 += 1
            self.oracle += 1
            if not (zx or zb or cv):
                self.how[str(how)] += 1
            return
        how = None if cv else _menu(gray, gtin, gs1, ("opencv",))
        if cv or how is not None:
            self.oracle += 1
            if how is not None:
                self.how[how] += 1
            return
        self.how["nothing"] += 1

    def line(self, label: str) -> str:
        best = max(self.zxing, self.pyzbar, 1)
        zx_ms, cv_ms = (statistics.median(self.ms[k] or [0.0]) for k in ("zxing", "opencv"))
        return (
            f"{label}: {self.images} code images; zxing-cpp {self.zxing}, pyzbar {self.pyzbar}, "
            f"union {self.union} ({self.union / best:.2f}× best single); any transform "
            f"{self.oracle2} ({self.oracle2 / best:.2f}× best single, "
            f"{self.oracle2 / max(1, self.union):.2f}× union). OpenCV {self.opencv}, union of "
            f"three {self.union3} ({self.union3 / best:.2f}×), any transform with OpenCV too "
            f"{self.oracle} ({self.oracle / best:.2f}×: {self.oracle - self.oracle2} beyond the "
            f"two's); median CPU ms a frame zxing-cpp {zx_ms:.1f}, OpenCV {cv_ms:.1f} "
            f"({cv_ms / max(zx_ms, 1e-9):.2f}×)"
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
