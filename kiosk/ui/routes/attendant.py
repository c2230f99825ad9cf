"""The attendant and the parked cart: clearing interventions by PIN or badge, suspend and
resume, reprinting the receipt."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from kiosk.ui.deps import Body, PartsDep, view
from kiosk.ui.routes.cart import CodeBody

router = APIRouter(prefix="/api")


class ClearBody(Body):
    secret: str = Field(min_length=1, max_length=64)
    kind: Literal["pin", "badge"] = "pin"
    intervention_id: str | None = None
    approve: bool = True


@router.post("/clear")
def clear(body: ClearBody, parts: PartsDep) -> dict[str, Any]:
    parts.attendant.clear_with_secret(body.secret, body.kind, body.intervention_id, body.approve)
    return view(parts)


@router.post("/suspend")
def suspend(parts: PartsDep) -> dict[str, Any]:
    parts.suspending.suspend()
    return view(parts)


@router.post("/resume")
def resume(body: CodeBody, parts: PartsDep) -> dict[str, Any]:
    parts.suspending.resume(body.code)
    return view(parts)


@router.post("/reprint")
def reprint(parts: PartsDep) -> dict[str, Any]:
    parts.printing.reprint()
    return view(parts)
