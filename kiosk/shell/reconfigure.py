"""Apply a pushed config (edge.remote_config) to a running kiosk.

What can change under a shopper's feet without harm changes now, under the session's lock:
log level, checkout rules, attendants, store name, screen language. Everything that owns a
device, a socket or a file (scanner, printer, scale, terminal, cash, broker, outbox, UI
bind, metrics) is written to the file by ``RemoteConfig`` and takes effect at the next
restart; those sections are listed in :attr:`KioskReconfigurer.restart_pending` (and in the
node's retained state) so the console shows that a restart is due. Rebuilding devices live
would mean stopping a scanner or printer mid-checkout, which is worse than waiting.

A config that names a price book seed the node cannot read is refused here, so
``RemoteConfig`` rolls the file and the running config back.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from contracts.exceptions import ContractError
from contracts.pricebook import decode_pricebook
from kiosk.config import KioskConfig
from kiosk.exceptions import ConfigApplyError
from kiosk.shell.attendant import Attendant, attendant_checker
from kiosk.shell.scanning import Scanning, ScanRules
from kiosk.shell.session import Session

log = logging.getLogger(__name__)

HOT = frozenset({"identity", "log_level", "checkout", "attendants", "ui", "pricebook", "gs1"})
"""Top-level sections applied live (``ui`` only for its language; see ``_cold_ui``)."""


class KioskReconfigurer:
    """``apply`` for :class:`edge.remote_config.RemoteConfig` on a kiosk node."""

    def __init__(
        self, session: Session, scanning: Scanning, attendant: Attendant, running: KioskConfig
    ) -> None:
        self.session = session
        self.scanning = scanning
        self.attendant = attendant
        self.running = running
        """The config the node's devices were built from (cold sections compare to it)."""
        self.restart_pending: list[str] = []

    def __call__(self, new: KioskConfig) -> None:
        _check_seed(new)
        session = self.session
        with session.lock:
            session.co.settings = dataclasses.replace(
                session.co.settings, max_failures=new.checkout.max_failures
            )
            self.scanning.rules = ScanRules(new.checkout.member_card_prefix, new.gs1)
            session.screen.store_name = new.checkout.store_name
            session.screen.language = new.ui.language
            self.attendant.check = attendant_checker(new.attendants)
        logging.getLogger().setLevel(new.log_level)
        self.restart_pending = cold_changes(self.running, new)
        if self.restart_pending:
            log.warning(
                "config sections %s apply at the next restart", ", ".join(self.restart_pending)
            )
        session.notify()

    def state(self) -> dict[str, Any]:
        """For the retained state: sections waiting for a restart (empty when none)."""
        return {"restart_pending": list(self.restart_pending)} if self.restart_pending else {}


def cold_changes(running: KioskConfig, new: KioskConfig) -> list[str]:
    """Sections whose change needs a restart, compared with what the devices run."""
    old_data, new_data = running.model_dump(mode="json"), new.model_dump(mode="json")
    changed = sorted(k for k in new_data if k not in HOT and old_data.get(k) != new_data.get(k))
    old_ui = {k: v for k, v in old_data["ui"].items() if k != "language"}
    new_ui = {k: v for k, v in new_data["ui"].items() if k != "language"}
    if old_ui != new_ui:
        changed.append("ui")
    return changed


def _check_seed(new: KioskConfig) -> None:
    path = new.pricebook.seed_path
    if path is None:
        return
    try:
        decode_pricebook(path.read_bytes())
    except OSError as exc:
        raise ConfigApplyError(f"price book seed {path} unreadable: {exc}") from exc
    except ContractError as exc:
        raise ConfigApplyError(f"price book seed {path} is not a price book: {exc}") from exc
