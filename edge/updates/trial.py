"""Commit or undo a switched version; the boot guard that catches a version that cannot.

The new version judges itself (edge.updates.agent runs the self-test and calls
:func:`commit` or :func:`roll_back`). A version that crashes before it can judge, or hangs,
is caught by :func:`guard`: systemd runs it before every start (``ExecStartPre``) from the
*known-good* directory, so the code that decides to go back is never the code on trial.

    python -m edge.updates.trial --root /opt/smartstore [--max-boots 3]
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime
from pathlib import Path

from edge.updates.slots import KNOWN_GOOD, Slots
from edge.updates.state import UpdateState, load_state, now_utc, save_state

log = logging.getLogger(__name__)


def commit(root: Path, state: UpdateState) -> UpdateState:
    """The trial version passed: it becomes known-good; old versions are pruned."""
    slots = Slots(root)
    slots.switch(state.version, KNOWN_GOOD)
    done = state.model_copy(update={"status": "ok", "reason": None, "at": now_utc()})
    save_state(root, done)
    slots.prune()
    log.info("update %s committed", state.version)
    return done


def roll_back(root: Path, state: UpdateState, reason: str) -> UpdateState:
    """Point ``current`` back at the known-good version and record why."""
    slots = Slots(root)
    back_to = state.previous or slots.known_good
    if back_to is not None:
        slots.switch(back_to)
    done = state.model_copy(update={"status": "rolled_back", "reason": reason, "at": now_utc()})
    save_state(root, done)
    log.error("update %s rolled back to %s: %s", state.version, back_to, reason)
    return done


def guard(root: Path, *, max_boots: int = 3, now: datetime | None = None) -> str:
    """Count one start of a trial version; roll back a crash loop or an expired trial."""
    state = load_state(root)
    if state is None or state.status != "trial":
        return "no trial"
    slots = Slots(root)
    if slots.current != state.version:
        return "trial version is not current"
    state = state.model_copy(update={"boots": state.boots + 1})
    moment = now or now_utc()
    if state.boots > max_boots:
        reason = f"crash loop: {state.boots - 1} starts without passing the self-test"
    elif state.deadline is not None and moment > state.deadline:
        reason = "did not pass the self-test before the trial deadline"
    else:
        save_state(root, state)
        return f"trial start {state.boots} of {max_boots}"
    roll_back(root, state, reason)
    return f"rolled back: {reason}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Boot guard of node software updates.")
    parser.add_argument("--root", type=Path, required=True, help="/opt/smartstore")
    parser.add_argument("--max-boots", type=int, default=3, help="Starts allowed on trial")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    log.info("update guard: %s", guard(args.root, max_boots=args.max_boots))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
