"""One line per image: what the pipeline and each decoder alone read, through which stage.

    .venv/bin/python -m bench.scan_trace [--set heldout] [--seed 10] [--per-class 40]
        [--budget-ms 40] [--retry-share 1.0] [--only lost|wrong|all]

For development on seeds that are not the reported figures (docs/decisions/0259: held-out
dev seeds 10–19): a line per image the pipeline missed while a single decoder read it
(``lost``), or read a wrong GTIN-14 (``wrong``), with the stage and decoder of every read and
the image's conditions. CPU time (``process_time``), as in ``bench.scan_photos``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bench.photo_sets import SETS, Shot
from kiosk.scanner.config import CameraScannerConfig, Gs1Config
from kiosk.scanner.decoders import DecodedSymbol, decode_pyzbar, decode_zxing
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.imaging import to_gray
from kiosk.scanner.pipeline import decode_frame


@dataclass(frozen=True)
class Trace:
    """One image's outcome: ``read``, ``lost``, ``wrong``, ``missed`` (no decoder) or ``free``."""

    shot: Shot
    outcome: str
    reads: list[DecodedSymbol]
    single: dict[str, bool]
    cpu_ratio: float

    def line(self) -> str:
        shot = self.shot
        stages = ", ".join(f"{s.symbology} {s.text} {s.decoder}/{s.stage}" for s in self.reads)
        alone = " ".join(f"{name}={'y' if ok else 'n'}" for name, ok in self.single.items())
        conditions = " ".join(k for k, on in sorted(shot.conditions.items()) if on)
        return (
            f"{self.outcome:6s} {shot.cls}#{shot.index} truth {shot.gtin14} | {alone} | "
            f"{self.cpu_ratio:.2f}x zxing-cpp | [{stages}] | {conditions}"
        )


def _gtins(reads: list[DecodedSymbol], gs1: Gs1Config) -> set[str]:
    return {g for r in reads if (g := interpret(r.text, r.symbology, gs1).gtin) is not None}


def traces(
    set_name: str, seed: int, per_class: int, budget_ms: float, retry_share: float
) -> Iterator[Trace]:
    gs1 = Gs1Config()
    for shot in SETS[set_name].shots(seed, per_class):
        gray = to_gray(shot.image)
        start = time.process_time()
        zxing = _gtins(decode_zxing(gray), gs1)
        zxing_s = max(time.process_time() - start, 1e-6)
        pyzbar = _gtins(decode_pyzbar(gray), gs1)
        start = time.process_time()
        reads = decode_frame(
            shot.image, budget_ms=budget_ms, retry_share=retry_share, clock=time.process_time
        )
        ratio = (time.process_time() - start) / zxing_s
        found = _gtins(reads, gs1)
        single = {"zxing": shot.gtin14 in zxing, "pyzbar": shot.gtin14 in pyzbar}
        if found - {shot.gtin14}:
            outcome = "wrong"
        elif shot.gtin14 is None:
            outcome = "free"
        elif shot.gtin14 in found:
            outcome = "read"
        else:
            outcome = "lost" if any(single.values()) else "missed"
        yield Trace(shot, outcome, reads, single, ratio)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="heldout")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--budget-ms", type=float, default=40.0)
    share = CameraScannerConfig.model_fields["retry_share"].default
    parser.add_argument("--retry-share", type=float, default=share)
    parser.add_argument("--only", choices=("lost", "wrong", "all"), default="all")
    args = parser.parse_args(argv)
    counts: dict[str, int] = {}
    for trace in traces(args.set, args.seed, args.per_class, args.budget_ms, args.retry_share):
        counts[trace.outcome] = counts.get(trace.outcome, 0) + 1
        if args.only == "all" or trace.outcome == args.only:
            print(trace.line(), flush=True)
    print(
        f"{args.set} seed {args.seed}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )


if __name__ == "__main__":
    main()
