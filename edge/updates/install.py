"""Install a bundle on a node by hand: the first version of a new node, or one carried on a
USB stick to a store with no uplink. The same checks as an update from the cloud.

    python3 -m edge.updates.install --root /opt/smartstore --kind kiosk \\
        --key "$SMARTSTORE_CFG__UPDATES__PUBLIC_KEY" smartstore-node-1.4.2.tar

A node with no version yet gets it as ``current`` and ``known-good``; on a node that runs one,
the bundle is only installed beside it (switch with a rollout, which runs the self-test).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from contracts.bundles import BundleError, load_public_key
from edge.updates.slots import KNOWN_GOOD, Slots

log = logging.getLogger(__name__)


def install(root: Path, bundle: Path, key: str, kind: str) -> str:
    slots = Slots(root)
    running = slots.current
    manifest = slots.install(bundle, load_public_key(key), kind=kind, running=running)
    if running is None:
        slots.switch(manifest.version)
        slots.switch(manifest.version, KNOWN_GOOD)
        return f"{manifest.version} installed as current and known-good"
    return f"{manifest.version} installed beside {running}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install a signed update bundle on this node.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--root", type=Path, default=Path("/opt/smartstore"))
    parser.add_argument("--kind", required=True, choices=("kiosk", "shelf"))
    parser.add_argument("--key", required=True, help="The fleet's update public key (base64)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        log.info("%s", install(args.root, args.bundle, args.key, args.kind))
    except BundleError as exc:
        log.error("refused: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
