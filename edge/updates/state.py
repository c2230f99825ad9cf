"""The update in progress, kept in ``<root>/update-state.json`` across restarts.

Three programs read and write it: the node's update agent (switches, then commits or rolls
back after its self-test), the boot guard that systemd runs before each start from the
known-good version (counts starts, rolls back a crash loop or an expired trial) and the
report in the node's retained state. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from contracts.messages import UpdateReport

STATE_FILE = "update-state.json"
Status = Literal["staged", "trial", "ok", "rolled_back", "failed"]


class UpdateState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    version: str
    """The version being tried (trial) or the outcome's version."""
    previous: str | None = None
    """The known-good version to return to."""
    boots: int = 0
    deadline: datetime | None = None
    reason: str | None = None
    rollout: str | None = None
    at: datetime

    def report(self) -> UpdateReport:
        return UpdateReport(
            version=self.version,
            status=self.status,
            reason=self.reason,
            rollout=self.rollout,
            at=self.at,
        )


def load_state(root: Path) -> UpdateState | None:
    try:
        return UpdateState.model_validate_json((root / STATE_FILE).read_bytes())
    except (OSError, ValidationError):
        return None


def save_state(root: Path, state: UpdateState) -> None:
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".update-state.", dir=root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(state.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, root / STATE_FILE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def now_utc() -> datetime:
    return datetime.now(UTC)


GUARD_GRACE = 3
"""The boot guard gives up on a trial this many trial times after the switch (a version that
neither commits nor crashes: hung, or restarted by a watchdog)."""


def trial_state(
    version: str, previous: str | None, rollout: str | None, trial_s: float
) -> UpdateState:
    now = now_utc()
    return UpdateState(
        status="trial",
        version=version,
        previous=previous,
        rollout=rollout,
        deadline=now + timedelta(seconds=trial_s * GUARD_GRACE),
        at=now,
    )
