"""A process supervisor (tests, the fault fleet) that does what the node's systemd unit does.

Per node: before every start run the boot guard (``ExecStartPre``, edge.updates.trial), then
start ``python -m <module>`` from the version ``current`` points at (resolved once, like the
unit's ``readlink -f``), and start it again whenever it exits (``Restart=always``,
``RestartSec``), until stopped. It really restarts a subprocess; nothing of the update code
is replaced.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edge.updates.trial import guard


@dataclass
class Supervised:
    root: Path
    module: str
    args: Sequence[str]
    log: Path
    restart_s: float = 0.3
    max_boots: int = 3
    starts: list[str] = field(default_factory=list)
    """The version of each start, in order."""
    guard_verdicts: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.guard_verdicts.append(guard(self.root, max_boots=self.max_boots))
            version_dir = (self.root / "current").resolve()
            self.starts.append(version_dir.name)
            env = {
                **os.environ,
                "PYTHONPATH": f"{version_dir / 'app'}{os.pathsep}{version_dir / 'site'}",
            }
            with self.log.open("ab") as out:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", self.module, *self.args],
                    env=env, cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
                self.proc.wait()
            self._stop.wait(self.restart_s)

    def stop(self) -> None:
        self._stop.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._thread is not None:
            self._thread.join(25)
