"""Online orders collected at the kiosk by their pickup code (the cloud records the sale, the
receipt prints here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from kiosk.ui.deps import Body, PartsDep, view

router = APIRouter(prefix="/api")


class PickupBody(Body):
    code: str = Field(min_length=1, max_length=16)


@router.post("/pickup")
def pickup(body: PickupBody, parts: PartsDep) -> dict[str, Any]:
    """409 ``pickup_*`` or ``cloud_unavailable`` when the order cannot be handed over."""
    sale = parts.pickups.collect(body.code)
    return view(parts) | {"pickup": {"sale_id": sale.sale_id, "total": str(sale.total)}}
