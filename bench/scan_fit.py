"""What the model-based reader (``kiosk.scanner.bar_fit``) adds to the decoders' ceiling.

An oracle, like ``bench.scan_ceiling`` and with its transform menu: per code image, whether
zxing-cpp or pyzbar reads it on the whole frame, whether any transform of the menu makes
either read it, and whether ``bar_fit`` reads it (each half of the bars alone, on the
fine-bar regions and the pipeline's crops, no time budget). Wrong codes from ``bar_fit`` are
counted on every image, the ``none`` class included. Decision 0267.

    .venv/bin/python -m bench.scan_fit [--set heldout] [--seeds 10 11] [--per-class 40]
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np

from bench.photo_sets import SETS
from bench.scan_ceiling import Ceiling, photo_set_args
from kiosk.scanner import bar_fit
from kiosk.scanner.bar_profile import fine_regions
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.decoders import Gray
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.imaging import find_regions, to_gray


def bar_fit_gtins(gray: Gray, gs1: Gs1Config) -> set[str]:
    """Every GTIN-14 ``bar_fit`` reports in any region of ``gray`` (the pipeline stops at
    the first; the oracle looks at all, so that a wrong code anywhere is counted)."""
    regions = [*fine_regions(gray), *find_regions(gray)]
    gtins: set[str] = set()
    for region in regions:
        for symbol in bar_fit.read_region(gray, region):
            gtin = interpret(symbol.text, symbol.symbology, gs1).gtin
            if gtin:
                gtins.add(gtin)
    return gtins


def main(argv: list[str] | None = None) -> None:
    args = photo_set_args(__doc__, argv)
    gs1 = Gs1Config()
    for seed in args.seeds:
        ceiling, tally, wrong = Ceiling(), Counter[str](), []
        cpu: list[float] = []
        for shot in SETS[args.set].shots(seed, args.per_class):
            gray = to_gray(np.asarray(shot.image, dtype=np.uint8))
            start = time.process_time()
            gtins = bar_fit_gtins(gray, gs1)
            cpu.append(time.process_time() - start)
            if gtins - {shot.gtin14}:
                wrong.append(f"{shot.cls}#{shot.index}: {sorted(gtins)} (truth {shot.gtin14})")
            if shot.gtin14 is None:
                continue
            before = ceiling.oracle
            ceiling.add(shot, gs1)
            right = shot.gtin14 in gtins
            tally["bar-fit"] += right
            tally["bar-fit beyond the ceiling"] += right and ceiling.oracle == before
        print(ceiling.line(f"{args.set} seed {seed}"), flush=True)
        print(
            f"  bar_fit: {tally['bar-fit']} read right, {tally['bar-fit beyond the ceiling']} "
            f"of the {ceiling.images - ceiling.oracle} no transform reads; wrong codes "
            f"{len(wrong)} (all {len(cpu)} images); median CPU {np.median(cpu) * 1000:.1f} ms"
        )
        for line in wrong:
            print(f"  WRONG {line}")


if __name__ == "__main__":
    main()
