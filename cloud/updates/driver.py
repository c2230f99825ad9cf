"""The rollout driver: every few seconds, send the due ``cmd/update`` orders over MQTT.

A shell around ``service.due_orders``: the orders are marked ``sent`` in one transaction and
published after it commits; a node that refuses an order (``ok: false``) fails its target
with the node's reason. Outcomes come back in the nodes' retained state through ingest
(``service.record_report``), so the driver holds no state of its own and can be restarted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cloud.db.session import transaction
from cloud.updates import service
from cloud.updates.service import RESEND_AFTER, Order

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from cloud.fleet.commands import CommandDispatcher, TrackedCommand

log = logging.getLogger(__name__)

BUNDLE_PATH = "/api/v1/updates/bundles/{version}"


def bundle_url(base_url: str, version: str) -> str:
    return base_url.rstrip("/") + BUNDLE_PATH.format(version=version)


def order_args(order: Order, base_url: str) -> dict[str, Any]:
    return {
        "version": order.version,
        "url": bundle_url(base_url, order.version),
        "sha256": order.sha256,
        "size": order.size,
        "rollout": str(order.rollout),
    }


class RolloutDriver:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        dispatcher: CommandDispatcher,
        base_url: str,
        *,
        every_s: float = 5.0,
        command_timeout_s: float = 60.0,
        resend_after: timedelta = RESEND_AFTER,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.base_url = base_url
        self.every_s = every_s
        self.command_timeout_s = command_timeout_s
        self.resend_after = resend_after
        self.clock = clock
        self._sent: dict[str, Order] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        dispatcher.on_done = self._on_done

    def step(self) -> list[Order]:
        with transaction(self.sessions) as session:
            orders = service.due_orders(session, self.clock(), self.resend_after)
        for order in orders:
            try:
                tracked = self.dispatcher.send(
                    order.store,
                    order.node,
                    "update",
                    order_args(order, self.base_url),
                    timeout_s=self.command_timeout_s,
                    issued_by=f"rollout-{order.rollout}",
                )
            except Exception as exc:  # the broker is away: asked again after resend_after
                log.warning("update order to %s/%s not sent: %s", order.store, order.node, exc)
                continue
            with self._lock:
                self._sent[tracked.command_id] = order
        return orders

    def _on_done(self, tracked: TrackedCommand) -> None:
        with self._lock:
            order = self._sent.pop(tracked.command_id, None)
        result = tracked.result
        if order is None or result is None or result.ok:
            return  # accepted (outcome comes in the node's state) or timed out (resent later)
        with transaction(self.sessions) as session:
            service.record_refusal(
                session,
                order.rollout,
                order.store,
                order.node,
                result.error or "refused",
                self.clock(),
            )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="rollout-driver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.step()
            except Exception:
                log.exception("rollout driver step failed")
