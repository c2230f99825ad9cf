"""``payment:`` and ``cash:`` in the kiosk config: adapters picked by ``type``, built by the
config variant; ``terminal:`` (the old name) still reads; mistakes name the field."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path
from typing import Any

import pytest

from edge.config import load_config
from edge.exceptions import ConfigError
from kiosk.config import KioskConfig
from kiosk.payment.base import PayRequest
from kiosk.payment.cash import FakeCashAcceptor
from kiosk.payment.simulator import PaymentSimulator


def config(tmp: Path, **extra: Any) -> KioskConfig:
    base: dict[str, Any] = {
        "identity": {"store": "demo", "node": "kiosk-1"},
        "mqtt": {"url": "mqtt://127.0.0.1:1"},
        "outbox": {"path": str(tmp / "node.sqlite3")},
    }
    return load_config(KioskConfig, None, overrides={**base, **extra}, environ={})


def test_simulator_builds_an_adapter_and_the_wallet_that_pays_its_qr(tmp_path: Path) -> None:
    cfg = config(tmp_path, payment={"type": "simulator", "state_path": str(tmp_path / "p.db")})
    setup = cfg.payment.build()
    assert isinstance(setup.adapter, PaymentSimulator)
    shown = setup.adapter.pay(PayRequest("q1", D("2.00"), "mobile", "qr"))
    assert shown.status == "pending"
    assert setup.wallet is not None
    setup.wallet("q1")
    assert setup.adapter.query("q1").status == "approved"


def test_none_means_cash_only(tmp_path: Path) -> None:
    setup = config(tmp_path, payment={"type": "none"}).payment.build()
    assert setup.adapter is None
    assert setup.wallet is None


def test_the_old_name_terminal_still_reads(tmp_path: Path) -> None:
    assert config(tmp_path, terminal={"type": "none"}).payment.type == "none"


def test_both_names_or_an_unknown_adapter_are_refused_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="terminal"):
        config(tmp_path, payment={"type": "none"}, terminal={"type": "none"})
    with pytest.raises(ConfigError, match="payment") as err:
        config(tmp_path, payment={"type": "wechat"})
    assert "simulator" in str(err.value)


def test_cash_fake_has_a_note_slot_none_has_nothing(tmp_path: Path) -> None:
    fake = config(tmp_path, cash={"type": "fake", "stock": {"1": 5}}).cash.build()
    assert isinstance(fake.acceptor, FakeCashAcceptor)
    assert fake.slot is not None
    fake.slot(D(1))
    assert fake.acceptor.stock[D(1)] == 6
    none = config(tmp_path, cash={"type": "none"}).cash.build()
    assert (none.acceptor, none.slot) == (None, None)
