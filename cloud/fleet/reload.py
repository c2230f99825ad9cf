"""Tell the broker to reread its password file and ACL: one small Protocol, three backends."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from typing import Protocol

from cloud.fleet.exceptions import ReloadError
from cloud.settings.fleet import CommandReload, NoReload, ReloadConfig, SignalReload

log = logging.getLogger(__name__)


class BrokerReloader(Protocol):
    def reload(self) -> None: ...


class NullReloader:
    def reload(self) -> None:
        log.info("broker files written; no reload configured")


class SignalReloader:
    """SIGHUP: Mosquitto reloads security files and drops clients whose login is gone."""

    def __init__(self, config: SignalReload) -> None:
        self.config = config

    def _pid(self) -> int:
        if self.config.pid is not None:
            return self.config.pid
        if self.config.pid_file is None:
            raise ReloadError("signal reload needs pid or pid_file")
        try:
            return int(self.config.pid_file.read_text().strip())
        except (OSError, ValueError) as exc:
            raise ReloadError(f"cannot read broker pid from {self.config.pid_file}: {exc}") from exc

    def reload(self) -> None:
        pid = self._pid()
        try:
            os.kill(pid, signal.SIGHUP)
        except OSError as exc:
            raise ReloadError(f"cannot signal broker pid {pid}: {exc}") from exc
        log.info("sent SIGHUP to broker pid %d", pid)


class CommandReloader:
    def __init__(self, config: CommandReload) -> None:
        self.config = config

    def reload(self) -> None:
        try:
            done = subprocess.run(
                self.config.argv,
                capture_output=True,
                text=True,
                timeout=self.config.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReloadError(f"{' '.join(self.config.argv)}: {exc}") from exc
        if done.returncode != 0:
            raise ReloadError(
                f"{' '.join(self.config.argv)} exited {done.returncode}: {done.stderr.strip()}"
            )
        log.info("broker reloaded with %s", " ".join(self.config.argv))


def make_reloader(config: ReloadConfig) -> BrokerReloader:
    if isinstance(config, SignalReload):
        return SignalReloader(config)
    if isinstance(config, CommandReload):
        return CommandReloader(config)
    assert isinstance(config, NoReload)
    return NullReloader()
