"""What the poison-proofing costs per message: contracts.strict around decode_event.

Baseline: ``decode_event`` (the sale fast path) on 5-line sales. Measured: ``inspect`` (raw
screen, the same decode, strict checks, payload and body digests), in the same run, CPU time,
best of ``--rounds``. Also the screen alone on the issue's hostile message (a 2 KB array 1,000
deep), which it refuses without a parser.

    .venv/bin/python -m bench.screen [--events N] [--rounds R]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable

from cloud.ingest.pipeline import Inbound, inspect
from contracts.codec import decode_event
from contracts.exceptions import MessageError
from contracts.strict import Limits, screen
from tests.cloud.factories import envelope, message, sale_data


def _best(rounds: int, n: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n = args.events
    msgs = [message(envelope("sale", sale_data(f"S-{i}"), seq=i + 1)) for i in range(n)]
    base = _best(args.rounds, n, lambda: [decode_event(t, p) for t, p in msgs])
    full = _best(args.rounds, n, lambda: [inspect(Inbound(t, p)) for t, p in msgs])
    print(f"decode_event (baseline): {base:.1f} µs/sale")
    print(f"inspect (screen + decode + checks + digests): {full:.1f} µs/sale, {full / base:.2f}×")
    nested = b"[" * 1000 + b"]" * 1000
    limits = Limits()

    def refuse() -> None:
        for _ in range(n):
            with contextlib.suppress(MessageError):
                screen(nested, limits)

    print(f"screen refuses the 2 KB, 1,000-deep array: {_best(args.rounds, n, refuse):.1f} µs")


if __name__ == "__main__":
    main()
