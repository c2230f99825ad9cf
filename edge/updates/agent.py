"""The node's update agent: take ``cmd/update``, stage the version, switch when idle, judge it.

Flow (each step's outcome is in ``update-state.json`` and in the retained node state):

1. ``cmd/update {version, url, sha256, size, rollout}`` is answered at once ("accepted");
   a worker thread downloads (resumable, checksum), verifies the signature and every file,
   and installs beside the running version (edge.updates.slots) → ``staged``.
   A refused bundle → ``failed`` with the reason; nothing was switched.
2. It waits until ``idle()`` says the node is between customers (a kiosk: no cart, no
   payment in flight), writes the ``trial`` state, switches ``current`` and asks for a
   restart (``restart()``; under systemd the node exits and ``Restart=always`` starts the
   new version; the boot guard counts starts).
3. The new version's agent sees it is on trial and runs the self-test until it passes
   ``passes`` times in a row (→ ``ok``, known-good moves) or the trial time is over
   (→ ``rolled_back`` with the failing checks, switch back, restart).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from contracts.bundles import VERSION_RE, BundleError, load_public_key
from contracts.messages import Command, UpdateReport
from edge.config import UpdateSettings
from edge.exceptions import UpdateRefusedError
from edge.updates.download import download
from edge.updates.health import SelfTest, describe
from edge.updates.slots import Slots
from edge.updates.state import UpdateState, load_state, now_utc, save_state, trial_state
from edge.updates.trial import commit, roll_back

log = logging.getLogger(__name__)


class UpdateOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: StrictStr = Field(pattern=VERSION_RE)
    url: StrictStr = Field(min_length=1, max_length=2000)
    sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    size: StrictInt = Field(gt=0)
    rollout: StrictStr | None = Field(default=None, max_length=32)


class UpdateAgent:
    """A Service; ``register`` it on the node's CommandRouter and put ``report`` in state."""

    name = "updates"

    def __init__(
        self,
        settings: UpdateSettings,
        *,
        kind: str,
        selftest: SelfTest,
        idle: Callable[[], bool],
        restart: Callable[[], None],
        on_change: Callable[[], None] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.root = Path(settings.root)
        self.kind = kind
        self.public_key = load_public_key(settings.public_key)
        self.selftest = selftest
        self.idle = idle
        self.restart = restart
        self.on_change = on_change
        self.headers = headers or {}
        self.slots = Slots(self.root)
        self.running = self._running_version()
        """The version this process runs: the version directory its code was imported from,
        else (a node not run from the A/B layout, tests) what ``current`` points at."""
        self._stop = threading.Event()
        self._busy = threading.Lock()
        self._in_progress: str | None = None
        self._threads: list[threading.Thread] = []

    def _running_version(self) -> str | None:
        versions = self.slots.versions.resolve()
        for parent in Path(__file__).resolve().parents:
            if parent.parent == versions:
                return parent.name
        return self.slots.current

    # Service ------------------------------------------------------------------------------

    def start(self) -> None:
        state = load_state(self.root)
        if state is not None and state.status == "trial" and state.version == self.running:
            self._spawn(self._trial, state)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    # reporting ----------------------------------------------------------------------------

    def report(self) -> UpdateReport | None:
        state = load_state(self.root)
        return None if state is None else state.report()

    def state_extra(self) -> dict[str, Any]:
        report = self.report()
        return {} if report is None else {"update": report.model_dump(mode="json")}

    def _save(self, state: UpdateState) -> None:
        save_state(self.root, state)
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("reporting update state failed")

    # command ------------------------------------------------------------------------------

    def register(self, router: Any) -> None:
        router.register("update", self.handle_update)

    def handle_update(self, command: Command) -> dict[str, Any]:
        try:
            order = UpdateOrder.model_validate(command.args)
        except ValidationError as exc:
            raise UpdateRefusedError(f"update order refused: {exc.errors()[0]['msg']}") from exc
        if order.version == self.running:
            return {"version": order.version, "changed": False}
        if order.version == self._in_progress:  # the cloud asked again: same answer
            return {"version": order.version, "accepted": True}
        last = load_state(self.root)
        if (
            last is not None
            and last.status in ("rolled_back", "failed")
            and (last.version, last.rollout) == (order.version, order.rollout)
        ):  # a late resend of an order this node already failed: never try it twice
            raise UpdateRefusedError(f"{order.version} already failed here: {last.reason}")
        if not self._busy.acquire(blocking=False):
            raise UpdateRefusedError(f"the update to {self._in_progress} is in progress")
        self._in_progress = order.version
        self._spawn(self._stage_and_switch, order)
        return {"version": order.version, "accepted": True}

    def _spawn(self, target: Callable[..., None], arg: Any) -> None:
        thread = threading.Thread(target=target, args=(arg,), name="update", daemon=True)
        self._threads.append(thread)
        thread.start()

    # steps --------------------------------------------------------------------------------

    def _stage_and_switch(self, order: UpdateOrder) -> None:
        try:
            if not self._stage(order):
                return
            while not self.idle():
                if self._stop.wait(self.settings.idle_poll_s):
                    return  # stopping: the staged version stays for the next order
            trial = trial_state(order.version, self.running, order.rollout, self.settings.trial_s)
            self._save(trial)
            self.slots.switch(order.version)
            log.info("switched to %s; restarting for its trial", order.version)
            self.restart()
        finally:
            self._in_progress = None
            self._busy.release()

    def _stage(self, order: UpdateOrder) -> bool:
        def state(status: str, reason: str | None = None) -> UpdateState:
            return UpdateState.model_validate(
                {
                    "status": status,
                    "version": order.version,
                    "previous": self.running,
                    "reason": reason,
                    "rollout": order.rollout,
                    "at": now_utc(),
                }
            )

        bundle = self.root / "downloads" / f"{order.version}.tar"
        try:
            download(order.url, bundle, sha256=order.sha256, size=order.size, headers=self.headers)
            self.slots.install(bundle, self.public_key, kind=self.kind, running=self.running)
        except (BundleError, OSError) as exc:
            log.error("update %s refused: %s", order.version, exc)
            self._save(state("failed", str(exc)[:500]))
            return False
        finally:
            bundle.unlink(missing_ok=True)
        self._save(state("staged"))
        return True

    def _trial(self, state: UpdateState) -> None:
        # counted from this start, not from the switch: a slow restart is not a failure
        deadline = time.monotonic() + self.settings.trial_s
        passed = 0
        failures: dict[str, str] = {}
        while time.monotonic() < deadline:
            failures = self.selftest.run()
            passed = 0 if failures else passed + 1
            if passed >= self.settings.passes:
                self._after(commit(self.root, state))
                return
            if self._stop.wait(self.settings.interval_s):
                return  # stopped mid-trial: the guard counts the next start
        reason = "self-test failed: " + (describe(failures) or "no clean run in time")
        self._after(roll_back(self.root, state, reason[:500]))
        self.restart()

    def _after(self, state: UpdateState) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("reporting update %s failed", state.status)
