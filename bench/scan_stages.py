"""What each pipeline stage and retry costs and reads on the photo-like set: the profile behind
the order of ``kiosk/scanner/pipeline.py`` and ``retries.VARIANTS``.

    .venv/bin/python -m bench.scan_stages [--seed 9] [--per-class 12]

Every stage runs on every image (no early stop): CPU ms per call (median), images where it
reads the true GTIN, images only it reads, and wrong GTINs it returns. Region retries run on
the top region crop. CPU time (``process_time``), not wall time: the machine is shared.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from bench.scanphotos.dataset import CLASSES, photos
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.imaging import find_regions, stretch, to_gray
from kiosk.scanner.retries import VARIANTS, straighten

Try = Callable[[], list[DecodedSymbol]]


def _tries(gray: Gray) -> tuple[dict[str, Try], float]:
    """Every stage and top-region retry as a call, and what finding the regions cost (ms)."""
    tries: dict[str, Try] = {
        "zxing full": lambda: decode_zxing(gray),
        "zxing full fixed": lambda: decode_zxing(stretch(gray), fixed_threshold=True),
        "pyzbar full": lambda: decode_pyzbar(gray),
    }
    start = time.process_time()
    regions = find_regions(gray)
    found_ms = (time.process_time() - start) * 1000
    if regions:
        crop, length = straighten(gray, regions[0])
        for stage, make, binarizer, _ in VARIANTS:
            image = make(crop, length)
            if binarizer:
                fixed = binarizer == "fixed"
                read = functools.partial(decode_zxing, image, fixed_threshold=fixed)
                tries[f"{stage} zxing"] = read
            tries[f"{stage} pyzbar"] = functools.partial(decode_pyzbar, image)
    return tries, found_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--per-class", type=int, default=12)
    args = parser.parse_args()
    gs1 = Gs1Config()
    ms: dict[str, list[float]] = defaultdict(list)
    reads: dict[str, int] = defaultdict(int)
    only: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)
    coded = 0
    for photo in photos(args.seed, args.per_class):
        gray = to_gray(photo.image)
        coded += photo.gtin14 is not None
        readers = []
        tries, found_ms = _tries(gray)
        ms["find_regions"].append(found_ms)
        for name, run in tries.items():
            start = time.process_time()
            out = run()
            ms[name].append((time.process_time() - start) * 1000)
            gtins = {g for r in out if (g := interpret(r.text, r.symbology, gs1).gtin)}
            if photo.gtin14 in gtins:
                reads[name] += 1
                readers.append(name)
            wrong[name] += len(gtins - {photo.gtin14})
        if len(readers) == 1:
            only[readers[0]] += 1
    print(f"seed {args.seed}, {args.per_class} images per class {CLASSES}: {coded} with a code")
    print(f"{'stage':34s} {'CPU ms':>7s} {'reads':>6s} {'only':>5s} {'wrong':>6s}")
    for name in ms:
        print(
            f"{name:34s} {statistics.median(ms[name] or [0.0]):7.2f} {reads[name]:6d} "
            f"{only[name]:5d} {wrong[name]:6d}"
        )


if __name__ == "__main__":
    main()
