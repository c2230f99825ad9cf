"""Kiosk scanning benchmark: the decode pipeline against zxing-cpp alone and pyzbar alone.

    .venv/bin/python -m bench.scan [--views-per-class 22] [--frames-per-view 3] [--memory-s 10]
    .venv/bin/python -m bench.scan --photos [--seeds 1 2 3] [--per-class 40]  (bench/scan_photos)

A rendered corpus (kiosk/scanner/testing.py, nothing downloaded) of 1280×720 frames in
classes clean, rot30, rot45, rot90, dark, blurred, glare, small; each "view" is one item
held in front of the camera for a few frames. Every frame goes through the three decoders
in the same run (the single decoders are the baseline). Reported per class: decode rate
(the true GTIN among the reads) and ms/frame; overall: median ms/frame, raw wrong reads,
and scans accepted through the kiosk rule (confirmed across frames + in the price book),
right and wrong. The pipeline runs with the camera's retry share and its budget counted in
CPU time (``process_time``), so a loaded machine does not cut its retries. Then, unless
``--memory-s 0``, a child process runs the camera ScannerService on a rendered video and
reports its RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from kiosk.scanner.config import CameraScannerConfig, Gs1Config
from kiosk.scanner.confirm import Confirmer
from kiosk.scanner.decoders import DecodedSymbol, decode_pyzbar, decode_zxing, load_pyzbar
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.imaging import to_gray
from kiosk.scanner.pipeline import decode_frame
from kiosk.scanner.testing import FRAME_CLASSES, corpus

DECODERS = ("pipeline", "zxing", "pyzbar")
RETRY_SHARE = CameraScannerConfig.model_fields["retry_share"].default
"""The pipeline runs as the camera does; its budget counts CPU time (the machine is shared)."""
FPS = 15.0

Figures = dict[str, Any]
"""The corpus result: a JSON document (``--json``) nesting per-class and per-decoder figures."""


class MemoryFigures(TypedDict):
    """What the ``--memory-child`` process prints as its last line (JSON) for the parent."""

    rss_before_kb: int
    rss_peak_kb: int
    vm_hwm_kb: int
    scans: int
    frames_decoded: int
    seconds: float


def _rss_kb(field: str = "VmRSS") -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run_corpus(views_per_class: int, frames_per_view: int, seed: int, budget_ms: float) -> Figures:
    gs1 = Gs1Config()
    runners: dict[str, Callable[..., list[DecodedSymbol]]] = {
        "pipeline": lambda frame, gray: decode_frame(
            frame, budget_ms=budget_ms, retry_share=RETRY_SHARE, clock=time.process_time
        ),
        "zxing": lambda frame, gray: decode_zxing(gray),
        "pyzbar": lambda frame, gray: decode_pyzbar(gray),
    }
    hits: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DECODERS}
    times: dict[str, dict[str, list[float]]] = {d: defaultdict(list) for d in DECODERS}
    wrong_reads: dict[str, int] = defaultdict(int)
    frames_per_class: dict[str, int] = defaultdict(int)
    confirmers = {
        d: Confirmer(confirm_frames=2, confirm_window_s=1.0, debounce_s=1.5) for d in DECODERS
    }
    accepted_right: dict[str, int] = defaultdict(int)
    accepted_wrong: dict[str, int] = defaultdict(int)
    price_book: set[str] = set()
    unchecked = {
        d: Confirmer(confirm_frames=2, confirm_window_s=1.0, debounce_s=1.5) for d in DECODERS
    }
    unchecked_wrong: dict[str, int] = defaultdict(int)
    clock = 0.0
    current_view = -1
    for sample in corpus(views_per_class, frames_per_view, seed):  # rendered lazily
        if sample.view != current_view:
            clock += 2.0  # the previous item left, the next one arrives
            current_view = sample.view
            price_book.add(sample.label.gtin)  # every item shown so far is in the price book
        clock += 1.0 / FPS
        cls = sample.frame_class
        frames_per_class[cls] += 1
        gray = to_gray(sample.frame)
        for name in DECODERS:
            start = time.perf_counter()
            reads = runners[name](sample.frame, gray)
            elapsed = (time.perf_counter() - start) * 1000
            times[name][cls].append(elapsed)
            gtins = {
                gtin
                for r in reads
                if (gtin := interpret(r.text, r.symbology, gs1).gtin) is not None
            }
            if sample.label.gtin in gtins:
                hits[name][cls] += 1
            wrong_reads[name] += len(gtins - {sample.label.gtin})
            unchecked_wrong[name] += sum(
                key != sample.label.gtin for key in unchecked[name].observe(clock, gtins)
            )
            known = [g for g in gtins if g in price_book]
            for key in confirmers[name].observe(clock, known):
                if key == sample.label.gtin:
                    accepted_right[name] += 1
                else:
                    accepted_wrong[name] += 1
    views = views_per_class * len(FRAME_CLASSES)
    result: Figures = {"frames": sum(frames_per_class.values()), "views": views, "classes": {}}
    for cls in FRAME_CLASSES:
        n = frames_per_class[cls]
        row: Figures = {}
        for name in DECODERS:
            row[name] = {
                "rate": hits[name][cls] / n,
                "ms_median": statistics.median(times[name][cls]),
            }
        row["best_single"] = max(row["zxing"]["rate"], row["pyzbar"]["rate"])
        result["classes"][cls] = row
    for name in DECODERS:
        every = [t for cls in FRAME_CLASSES for t in times[name][cls]]
        result[name] = {
            "rate": sum(hits[name].values()) / result["frames"],
            "ms_median": statistics.median(every),
            "ms_p90": statistics.quantiles(every, n=10)[-1],
            "wrong_reads": wrong_reads[name],
            "accepted_right": accepted_right[name],
            "accepted_wrong": accepted_wrong[name],
            "accepted_wrong_without_price_book": unchecked_wrong[name],
        }
    return result


def print_report(result: Figures) -> None:
    print(
        f"corpus: {result['frames']} frames 1280x720, {result['views']} views, "
        f"pyzbar {'loaded' if load_pyzbar() else 'MISSING'}"
    )
    print(
        f"{'class':8s} | {'pipeline':>16s} | {'zxing-cpp':>16s} | {'pyzbar':>16s} | ratio vs best"
    )
    for cls, row in result["classes"].items():
        cells = " | ".join(
            f"{row[d]['rate'] * 100:6.1f}% {row[d]['ms_median']:5.1f}ms" for d in DECODERS
        )
        ratio = row["pipeline"]["rate"] / row["best_single"] if row["best_single"] else float("inf")
        print(f"{cls:8s} | {cells} | {ratio:.2f}")
    for name in DECODERS:
        r = result[name]
        print(
            f"{name:8s} all: {r['rate'] * 100:5.1f}%  median {r['ms_median']:.1f} ms  "
            f"p90 {r['ms_p90']:.1f} ms  wrong reads {r['wrong_reads']}  "
            f"accepted {r['accepted_right']} right / {r['accepted_wrong']} wrong "
            f"of {result['views']} views (wrong without the price-book check: "
            f"{r['accepted_wrong_without_price_book']})"
        )
    base = min(result["zxing"]["ms_median"], result["pyzbar"]["ms_median"])
    print(
        f"ratio: pipeline median ms / fastest single decoder median ms = "
        f"{result['pipeline']['ms_median'] / base:.2f}; pipeline rate / best single rate = "
        f"{result['pipeline']['rate'] / max(result['zxing']['rate'], result['pyzbar']['rate']):.2f}"
    )


def memory_child(video: str, seconds: float) -> None:
    """Run the camera ScannerService on ``video`` (looped, real time) and print RSS figures."""
    from kiosk.scanner.config import CameraScannerConfig
    from kiosk.scanner.service import ScannerService

    baseline_kb = _rss_kb()
    scans: list[str] = []
    config = CameraScannerConfig(type="camera", source=video, loop=True)
    service = ScannerService(
        config,
        Gs1Config(),
        on_scan=lambda code: scans.append(code.gtin or ""),
        is_known=lambda g: True,
    )
    service.start()
    peak = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.25)
        peak = max(peak, _rss_kb())
    service.stop()
    figures: MemoryFigures = {
        "rss_before_kb": baseline_kb,
        "rss_peak_kb": peak,
        "vm_hwm_kb": _rss_kb("VmHWM"),
        "scans": len(scans),
        "frames_decoded": service.stats.frames_decoded,
        "seconds": seconds,
    }
    print(json.dumps(figures))


def run_memory(seconds: float) -> MemoryFigures:
    import random

    from kiosk.scanner.testing import random_label, render_frame, write_video

    rng = random.Random(7)
    frames = []
    for _ in range(5):
        label = random_label(rng, "ean13")
        frames += [render_frame(label, "clean", rng) for _ in range(15)]
    with tempfile.TemporaryDirectory() as tmp:
        video = str(Path(tmp) / "scan.avi")
        write_video(video, frames, fps=FPS)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scan",
                "--memory-child",
                video,
                "--memory-s",
                str(seconds),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    figures: MemoryFigures = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views-per-class", type=int, default=22)
    parser.add_argument("--frames-per-view", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget-ms", type=float, default=40.0)
    parser.add_argument("--memory-s", type=float, default=10.0)
    parser.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="Also print the raw figures as JSON")
    parser.add_argument("--photos", action="store_true", help="The photo-like set: scan_photos")
    args, rest = parser.parse_known_args()
    if args.photos:
        from bench.scan_photos import main as photos_main

        photos_main([*rest, "--budget-ms", str(args.budget_ms), *(["--json"] * args.json)])
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.memory_child:
        memory_child(args.memory_child, args.memory_s)
        return
    print(f"machine: {os.cpu_count()} CPUs (shared VM: timings are noisy)")
    result = run_corpus(args.views_per_class, args.frames_per_view, args.seed, args.budget_ms)
    print_report(result)
    if args.memory_s > 0:
        memory = run_memory(args.memory_s)
        result["memory"] = memory
        print(
            f"memory: camera ScannerService on a 1280x720 video for {memory['seconds']:.0f} s: "
            f"RSS {memory['rss_before_kb'] / 1024:.0f} MB after imports, "
            f"peak {memory['rss_peak_kb'] / 1024:.0f} MB "
            f"(VmHWM {memory['vm_hwm_kb'] / 1024:.0f} MB), "
            f"{memory['frames_decoded']} frames decoded, {memory['scans']} scans"
        )
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
