"""Lane stock state (ok / low / out) with debounce and hysteresis. Pure; driven by sample time.

Out of stock needs the *weight* (W < ``oos_fraction``·μ): at once when the count agrees
(a settled pick took the last unit, so the LED lights within a second or two), else after
``oos_hold_s`` so a miscount can never hide an empty lane, nor invent one; it clears once a
stable W ≥ ``clear_fraction``·μ holds for ``clear_s`` (hysteresis on level and time), or at
once when a settled put counted units too (0266: a lane restocked and emptied again within
3 s otherwise stayed out with no line for its second empty). Low stock
comes from the count, debounced so a shopper who puts an item straight back does not flap
the alert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shelf_sensors.settings import DetectionSettings

StockState = Literal["ok", "low", "out"]
TRANSITION_EVENT: dict[StockState, str] = {
    "ok": "restocked",
    "low": "low_stock",
    "out": "out_of_stock",
}


class StockAlerts:
    __slots__ = (
        "_above_since",
        "_below_since",
        "_pending",
        "_pending_since",
        "clear_fraction",
        "clear_s",
        "low_debounce_s",
        "oos_fraction",
        "oos_hold_s",
        "state",
    )

    def __init__(
        self,
        *,
        oos_fraction: float = 0.5,
        oos_hold_s: float = 10.0,
        clear_fraction: float = 0.8,
        clear_s: float = 2.0,
        low_debounce_s: float = 3.0,
    ) -> None:
        self.state: StockState = "ok"
        self._below_since: float | None = None
        self._above_since: float | None = None
        self._pending: StockState | None = None
        self._pending_since = 0.0
        self.oos_fraction = oos_fraction
        self.oos_hold_s = oos_hold_s
        self.clear_fraction = clear_fraction
        self.clear_s = clear_s
        self.low_debounce_s = low_debounce_s

    @classmethod
    def of(cls, s: DetectionSettings) -> StockAlerts:
        """The alerts a lane gets from its detection settings."""
        return cls(
            oos_fraction=s.oos_fraction,
            oos_hold_s=s.oos_hold_s,
            clear_fraction=s.oos_clear_fraction,
            clear_s=s.oos_clear_s,
            low_debounce_s=s.low_debounce_s,
        )

    def update(
        self,
        t: float,
        weight: float,
        count: int,
        mu: float,
        low_at: int,
        stable: bool = True,
        empty_weight: float | None = None,
    ) -> StockState | None:
        """Feed the current net weight and count; return the new state when it changes.

        Out of stock clears only on a *stable* weight, so a hand pressing on an empty lane
        (or the touch of a restock, before its count is known) does not clear it. To go out,
        ``empty_weight`` (default ``weight``) must read empty too."""
        if self.state == "out":
            if stable and weight >= self.clear_fraction * mu:
                if self._above_since is None:
                    self._above_since = t
                if count > 0 or t - self._above_since >= self.clear_s:
                    self._above_since = None
                    self._below_since = None
                    self.state = "low" if count <= low_at else "ok"
                    return self.state
            else:
                self._above_since = None
            return None
        level = weight if empty_weight is None else max(weight, empty_weight)
        if level < self.oos_fraction * mu:
            if self._below_since is None:
                self._below_since = t
            if (count == 0 and stable) or t - self._below_since >= self.oos_hold_s:
                self._below_since = None
                self._pending = None
                self.state = "out"
                return "out"
        else:
            self._below_since = None
        wanted: StockState = "low" if count <= low_at else "ok"
        if wanted == self.state:
            self._pending = None
            return None
        if self._pending != wanted:
            self._pending = wanted
            self._pending_since = t
            return None
        if t - self._pending_since >= self.low_debounce_s:
            self._pending = None
            self.state = wanted
            return wanted
        return None
