"""Attendant interventions: what raised them, what approving them does, who cleared them.

An open intervention blocks the shopper. ``action`` says what an approval changes (remove a
line, apply a price override, accept the scale's weight), so the same clear path serves a
PIN on the screen, a badge, and a remote ``clear_intervention`` command.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

InterventionKind = Literal[
    "age_restricted",
    "weight_mismatch",
    "unexpected_item",
    "removed_item",
    "void_after_bagging",
    "price_override",
    "repeated_failures",
    "printer_fault",
    "cash_dispense",
    "payment",
    "other",
]
ClearMethod = Literal["pin", "badge", "remote", "scale"]

WEIGHT_KINDS: frozenset[str] = frozenset({"weight_mismatch", "unexpected_item", "removed_item"})
"""Scale interventions clear themselves when the bagging area returns to the expected weight."""


@dataclass
class Intervention:
    intervention_id: str
    kind: InterventionKind
    raised_at: datetime
    detail: str = ""
    action: dict[str, Any] = field(default_factory=dict)
    cleared_at: datetime | None = None
    cleared_by: str | None = None
    method: ClearMethod | None = None
    approved: bool | None = None

    @property
    def open(self) -> bool:
        return self.cleared_at is None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat()
        data["cleared_at"] = self.cleared_at.isoformat() if self.cleared_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intervention:
        cleared = data.get("cleared_at")
        return cls(
            intervention_id=data["intervention_id"],
            kind=data["kind"],
            raised_at=datetime.fromisoformat(data["raised_at"]),
            detail=data.get("detail", ""),
            action=dict(data.get("action", {})),
            cleared_at=datetime.fromisoformat(cleared) if cleared else None,
            cleared_by=data.get("cleared_by"),
            method=data.get("method"),
            approved=data.get("approved"),
        )
