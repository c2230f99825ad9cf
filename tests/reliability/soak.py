"""Long-form soak: ``python -m tests.reliability.soak --stores 20 --minutes 30``.

Prints progress and the final report (docs/RELIABILITY.md records a run); exits 1 when an
invariant is broken. The CI short form is tests/reliability/test_soak.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from tests.reliability.fleet import SoakConfig, run_soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=20, help="Store processes (2 nodes each)")
    parser.add_argument("--minutes", type=float, default=30.0, help="Time before the drain")
    parser.add_argument("--rate", type=float, default=2.0, help="Events/s per node")
    parser.add_argument("--fault-every", type=float, default=20.0, help="Seconds between faults")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="Keep node DBs and logs here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    config = SoakConfig(
        stores=args.stores,
        seconds=args.minutes * 60,
        rate=args.rate,
        fault_every_s=args.fault_every,
        drain_timeout_s=600.0,
        seed=args.seed,
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="smartstore-soak-"))

    def progress(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    report = run_soak(config, workdir, progress)
    progress(report.summary())
    progress(f"workdir: {workdir}")
    return 0 if report.verdict.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
