"""A version that crashes at start never gets to judge itself: the boot guard, run before each
start by the supervisor (systemd's ExecStartPre in production), counts the starts and puts
the known-good version back. Real processes, real files."""

from __future__ import annotations

import time
from pathlib import Path

from contracts.bundles import load_public_key
from edge.updates.state import load_state, save_state, trial_state
from tests.edge.updates.conftest import Shelf
from tests.support.supervisor import Supervised

GOOD = "import time\nwhile True:\n    time.sleep(0.1)\n"
CRASH = "raise SystemExit('ImportError: a wheel missing from 1.1.0')\n"


def test_crash_loop_returns_to_the_known_good_version(shelf: Shelf, tmp_path: Path) -> None:
    root = tmp_path / "node"
    slots = shelf.install_first(root, "1.0.0")
    (root / "versions" / "1.0.0" / "app" / "smartstore" / "__main__.py").write_text(GOOD)
    shelf.build("1.1.0")
    slots.install(tmp_path / "served" / "1.1.0.tar", load_public_key(shelf.public),
                  kind="kiosk", running="1.0.0")  # fmt: skip
    (root / "versions" / "1.1.0" / "app" / "smartstore" / "__main__.py").write_text(CRASH)
    save_state(root, trial_state("1.1.0", "1.0.0", "3", 600))  # what the agent does
    slots.switch("1.1.0")
    proc = Supervised(root, "smartstore", [], tmp_path / "node.log", restart_s=0.05, max_boots=2)
    proc.start()
    try:
        deadline = time.monotonic() + 30
        while "1.0.0" not in proc.starts and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.stop()
    assert proc.starts[:3] == ["1.1.0", "1.1.0", "1.0.0"]
    assert proc.guard_verdicts[2] == (
        "rolled back: crash loop: 2 starts without passing the self-test"
    )
    state = load_state(root)
    assert state is not None
    assert (state.status, state.rollout) == ("rolled_back", "3")
    assert slots.current == "1.0.0"
