"""A node process for kill -9 tests: an outbox and a link that emit ``--total`` events.

``python -m tests.integration.edge_publisher --db F --url mqtt://… --total 10000`` emits in
small durable batches until the node's seq reaches ``--total``, waits until the outbox is
drained, stops the link cleanly and exits 0. Restarted after a kill it resumes where the
file says. ``--linger`` keeps it running (online) until SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from pathlib import Path

from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--store", default="demo")
    parser.add_argument("--node", default="kiosk-1")
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--keepalive", type=int, default=30)
    parser.add_argument("--heartbeat", type=float, default=30.0)
    parser.add_argument("--total", type=int, default=0)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds between batches (a run long enough to kill)",
    )
    parser.add_argument("--replay-rate", type=float, default=1e6)
    parser.add_argument("--linger", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    settings = OutboxSettings(path=args.db, replay_rate=args.replay_rate)
    outbox = Outbox.open(args.db, args.store, args.node, settings)
    mqtt = MqttSettings(
        url=args.url,
        client_id=args.client_id,
        keepalive=args.keepalive,
        heartbeat_s=args.heartbeat,
        backoff_min=0.05,
        backoff_max=0.5,
    )
    link = Link(mqtt, NodeIdentity(store=args.store, node=args.node), outbox, kind="test")
    runtime = Runtime([link], threading.Event())

    def announce() -> None:
        deadline = time.monotonic() + 10
        while not link.connected and time.monotonic() < deadline:
            time.sleep(0.01)
        sys.stdout.write(f"ready boot={outbox.boot} connected={link.connected}\n")
        sys.stdout.flush()

    if args.linger:
        threading.Thread(target=announce, daemon=True).start()
        runtime.run(install_signals=True)
        outbox.close()
        return 0
    runtime.start_all()
    announce()
    try:
        fault = {"code": "test", "component": "bench", "message": "x" * 100}
        while outbox.last_seq < args.total:
            n = min(args.batch, args.total - outbox.last_seq)
            outbox.emit_many([("fault", fault)] * n)
            if args.pause:
                time.sleep(args.pause)
        while outbox.depth() > 0:
            time.sleep(0.01)
    finally:
        runtime.stop_all()
        outbox.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
