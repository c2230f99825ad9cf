"""The fault fleet's bad update: one more node of one store, updated to a broken version.

The fleet's stores run node code in worker processes, where no other version can be
loaded; this node is a real subprocess instead, run from its A/B version directories under
the unit double (:class:`simulators.supervisor.Supervised`): the light kiosk of
:mod:`simulators.updnode` on the real edge parts (outbox, link, update agent). Before the
window its two versions are built and signed (:mod:`simulators.updates`; the bad one never
starts its link), published to the fleet's cloud, and the node is imaged with the good one
and put in the ``canary`` ring. At ``go`` a rollout of the bad version starts through the
REST API; the cloud's rollout driver orders it over MQTT, the node downloads the bundle from
the cloud, installs it beside the running one, switches and restarts into it; its self-test
fails, it switches back by itself and reports why; the rollout halts at the ring. Then the
node stops selling and every sale of its ledger (kept in the data directory, outside the
version directories) must reach the cloud once. :meth:`BadUpdateRun.facts` is what the
fleet's verdict judges (:func:`simulators.faultplan.judge_update`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulators.cloudapi import CloudApi
from simulators.faultplan import BadUpdate, UpdateFacts
from simulators.supervisor import Supervised
from simulators.updates import build_versions, provision, publish, supervise

if TYPE_CHECKING:
    from simulators.cloud import LocalCloud

log = logging.getLogger(__name__)

GOOD, BAD = "1.0.0", "1.2.0"
NODE = "kiosk-3"
TRIAL_S = 12.0
"""The self-test's trial: the bad version never sees the broker in this long."""


class BadUpdateRun:
    def __init__(self, cloud: LocalCloud, broker_url: str, password: str, data_dir: Path,
                 store: str, progress: Callable[[str], None] = log.info) -> None:  # fmt: skip
        self.cloud = cloud
        self.broker_url = broker_url
        self.password = password
        self.dir = data_dir
        self.fault = BadUpdate(store, NODE, GOOD, BAD)
        self.progress = progress
        self.proc: Supervised | None = None
        self.data: Path | None = None
        self.rollout_id: int | None = None
        self.error = ""
        self._thread: threading.Thread | None = None
        self._driver: Any = None
        self._dispatcher: Any = None

    def prepare(self, admin: CloudApi) -> None:
        """Register the node in the canary ring, build, sign and publish both versions,
        image the node with the good one and start it (before the stores open)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from cloud.db.session import make_engine, make_sessionmaker, transaction
        from cloud.updates import service
        from cloud.updates.build import public_key_text

        store, node = self.fault.store, self.fault.node
        admin.ensure_device(store, node, "kiosk")
        key = Ed25519PrivateKey.generate()
        public = public_key_text(key)
        bundles = build_versions(self.dir, key, {GOOD: False, BAD: True})
        engine = make_engine(self.cloud.settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            with transaction(sessions) as s:
                service.set_ring(s, store, node, self.fault.ring)
            publish(self.cloud.settings.updates_dir, sessions, bundles, public)
        finally:
            engine.dispose()
        root, self.data = provision(self.dir, store, node, bundles[GOOD], public)
        self.proc = supervise(root, self.data, store, node, self.broker_url, public, trial=TRIAL_S)
        self.progress(f"bad update: {store}/{node} started on {GOOD}, {BAD} published")

    def start(self) -> None:
        """At ``go``: the cloud's rollout driver, and the run in a thread."""
        from cloud.db.session import make_engine, make_sessionmaker
        from cloud.fleet.commands import CommandDispatcher
        from cloud.settings import CloudSettings
        from cloud.updates.driver import RolloutDriver

        settings = CloudSettings(database_url="sqlite://", mqtt_url=self.broker_url)
        self._dispatcher, address = CommandDispatcher.from_settings(settings)
        self._dispatcher.start(address.host, address.port)
        self._engine = make_engine(self.cloud.settings.database_url)
        self._driver = RolloutDriver(make_sessionmaker(self._engine), self._dispatcher,
                                     self.cloud.url, every_s=0.5)  # fmt: skip
        self._driver.start()
        self._thread = threading.Thread(target=self._guarded, name="bad-update", daemon=True)
        self._thread.start()

    def _guarded(self) -> None:
        try:
            with closing(CloudApi(self.cloud.url, "admin", self.password, timeout=60.0)) as api:
                self._run(api)
        except Exception as exc:  # judged: the verdict names it
            log.exception("bad update")
            self.error = f"{type(exc).__name__}: {exc}"

    def _run(self, api: CloudApi) -> None:
        store, node = self.fault.store, self.fault.node

        def reported() -> object:
            return api.device(store, node).get("software_version")

        _wait(lambda: reported() == GOOD, 120, f"{node} online on {GOOD}")
        rid = self.rollout_id = api.start_rollout(BAD, self.fault.ring, percent=100, halt_above=20)
        self.progress(f"bad update: rollout {rid} of {BAD} to the {self.fault.ring} ring")
        took = _wait(lambda: api.rollout(rid)["status"] == "halted", 180, "rollout halted")
        self.progress(f"bad update: rollout halted after {took:.0f} s")
        _wait(lambda: api.rollout(rid)["statuses"] == {"rolled_back": 1}, 60, "rolled back")
        _wait(lambda: reported() == GOOD, 60, f"{node} reports {GOOD} again")
        assert self.data is not None
        (self.data / "stop-selling").touch()
        last: list[set[str]] = [set()]

        def settled() -> bool:
            sold = set(self.ledger())
            stable, last[0] = sold == last[0], sold
            return stable and sold <= {s["sale_id"] for s in api.sales(store)}

        _wait(settled, 120, "the node's sales applied", every=2.0)

    def ledger(self) -> dict[str, str]:
        """sale id → version that sold it, from the node's own outbox database."""
        if self.data is None or not (self.data / "outbox.sqlite3").exists():
            return {}
        with closing(sqlite3.connect(self.data / "outbox.sqlite3", timeout=10)) as conn:
            return dict(conn.execute("SELECT sale_id, version FROM sold"))

    def finish(self, timeout: float) -> None:
        """Wait for the run, then stop the node and the driver."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.error = self.error or f"not done after {timeout:.0f} s more"
        self.stop()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
        if self._driver is not None:
            self._driver.stop()
            self._driver = None
        if self._dispatcher is not None:
            self._dispatcher.stop()
            self._dispatcher = None
            self._engine.dispose()

    def facts(self, admin: CloudApi) -> UpdateFacts:
        """Read from the cloud's REST API (rollout, device, sales) and the node's files."""
        store, node = self.fault.store, self.fault.node
        ro: dict[str, Any] = {"status": "not started", "statuses": {}, "failures": []}
        if self.rollout_id is not None:
            ro = admin.rollout(self.rollout_id)
        sold = self.ledger()
        cloud = Counter(s["sale_id"] for s in admin.sales(store) if s["sale_id"] in sold)
        return UpdateFacts(
            rollout=ro["status"],
            halt_reason=ro.get("halt_reason"),
            statuses=dict(ro["statuses"]),
            reasons=tuple(str(f["reason"]) for f in ro["failures"] if f["node"] == node),
            reported=admin.device(store, node).get("software_version"),
            current=self.proc.root.joinpath("current").resolve().name if self.proc else None,
            starts=tuple(self.proc.starts) if self.proc else (),
            sold=len(sold),
            sold_by_bad=sum(1 for v in sold.values() if v == BAD),
            applied=len(cloud),
            duplicates=sum(n - 1 for n in cloud.values()),
            error=self.error,
        )


def _wait(check: Callable[[], object], timeout: float, what: str, every: float = 0.5) -> float:
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s: {what}")
