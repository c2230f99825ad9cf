"""Cash acceptor: a Protocol, change making, and a fake with a float per denomination
(``cash: {type: fake}``).

Change uses exact bounded coin change over what the machine holds (greedy fails on some
floats, e.g. 0.60 from {0.50, 0.20×3}); when no combination exists the kiosk calls an
attendant instead of short-changing the shopper.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import Field, field_validator

from edge.config import Strict
from kiosk.exceptions import PaymentError

log = logging.getLogger(__name__)
CENTS = Decimal(100)


class CashAcceptor(Protocol):
    denominations: tuple[Decimal, ...]

    def start(self, on_insert: Callable[[Decimal], None]) -> None: ...

    def stop(self) -> None: ...

    def dispense(self, amount: Decimal) -> bool:
        """Pay ``amount`` out; False (nothing paid) when it cannot be made exactly."""
        ...


@dataclass(frozen=True)
class CashSetup:
    """What a ``cash:`` config builds."""

    acceptor: CashAcceptor | None
    """None: no cash acceptor (``type: none``)."""
    slot: Callable[[Decimal], None] | None = None
    """A fake's note slot, where the demo page and tests put money in. None on hardware."""


DEFAULT_CASH = {
    "100": 10,
    "50": 10,
    "20": 20,
    "10": 20,
    "5": 20,
    "1": 50,
    "0.5": 50,
    "0.1": 50,
}


class FakeCashConfig(Strict):
    type: Literal["fake"] = Field(description="Discriminator: simulated note/coin recycler")
    stock: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_CASH),
        description="Denomination → pieces held for change at start",
    )
    jam_on_dispense: bool = Field(default=False, description="Simulate a change jam")

    @field_validator("stock")
    @classmethod
    def _denominations(cls, value: dict[str, int]) -> dict[str, int]:
        for key, count in value.items():
            if Decimal(key) <= 0 or count < 0:
                raise ValueError(f"bad denomination {key}: {count}")
        return value

    def build(self) -> CashSetup:
        stock = {Decimal(k): v for k, v in self.stock.items()}
        fake = FakeCashAcceptor(stock, jam_on_dispense=self.jam_on_dispense)
        return CashSetup(fake, slot=fake.insert)


def make_change(amount: Decimal, stock: Mapping[Decimal, int]) -> dict[Decimal, int] | None:
    """Fewest pieces summing exactly to ``amount`` using at most ``stock[d]`` of each ``d``."""
    target = int((amount * CENTS).to_integral_value())
    if target < 0 or Decimal(target) != amount * CENTS:
        return None
    inf = target + 1
    best = [0] + [inf] * target
    stages: list[tuple[Decimal, int, list[int]]] = []
    for denom, count in sorted(stock.items()):
        cents = int((denom * CENTS).to_integral_value())
        if cents <= 0 or count <= 0:
            continue
        new = [inf] * (target + 1)
        used = [0] * (target + 1)
        for total in range(target + 1):
            for k in range(min(count, total // cents) + 1):
                pieces = best[total - k * cents] + k
                if pieces < new[total]:
                    new[total], used[total] = pieces, k
        stages.append((denom, cents, used))
        best = new
    if best[target] >= inf:
        return None
    result: dict[Decimal, int] = {}
    rest = target
    for denom, cents, used in reversed(stages):
        k = used[rest]
        if k:
            result[denom] = k
            rest -= k * cents
    return result


class FakeCashAcceptor:
    """Behaves like a note/coin recycler: accepts known denominations, pays change from stock.

    ``insert`` is what the shopper (or a test, or the UI's simulated slot) does; the kiosk
    learns of it through the ``on_insert`` callback, as with the real device's events.
    """

    def __init__(self, denominations: Mapping[Decimal, int], jam_on_dispense: bool = False) -> None:
        self.stock: dict[Decimal, int] = dict(denominations)
        self.denominations = tuple(sorted(self.stock))
        self.jam_on_dispense = jam_on_dispense
        self.dispensed: list[dict[Decimal, int]] = []
        self._on_insert: Callable[[Decimal], None] | None = None
        self._lock = threading.Lock()

    def start(self, on_insert: Callable[[Decimal], None]) -> None:
        self._on_insert = on_insert

    def stop(self) -> None:
        self._on_insert = None

    def insert(self, value: Decimal) -> None:
        if value not in self.stock:
            raise PaymentError(f"{value} is not accepted", "bad_denomination")
        with self._lock:
            self.stock[value] += 1
        if self._on_insert is not None:
            self._on_insert(value)

    def dispense(self, amount: Decimal) -> bool:
        if self.jam_on_dispense:
            log.warning("cash acceptor jammed; %s not dispensed", amount)
            return False
        with self._lock:
            pieces = make_change(amount, self.stock)
            if pieces is None:
                log.warning("cannot make change of %s from %s", amount, self.stock)
                return False
            for denom, count in pieces.items():
                self.stock[denom] -= count
            self.dispensed.append(pieces)
        return True
