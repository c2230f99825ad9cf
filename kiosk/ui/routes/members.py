"""Members: attach by phone or card (then the online balance), coupons, points."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from kiosk.ui.deps import Body, PartsDep, view
from kiosk.ui.routes.cart import CodeBody

router = APIRouter(prefix="/api")


class MemberBody(Body):
    kind: Literal["phone", "card"]
    value: str = Field(min_length=1, max_length=40)


class PointsBody(Body):
    points: int = Field(ge=0, le=1_000_000)


@router.post("/member")
def member(body: MemberBody, parts: PartsDep) -> dict[str, Any]:
    parts.members.identify(body.kind, body.value)  # attach, then the balance (short timeout)
    return view(parts)


@router.post("/coupon")
def coupon(body: CodeBody, parts: PartsDep) -> dict[str, Any]:
    parts.members.apply_coupon(body.code)
    return view(parts)


@router.post("/points")
def points(body: PointsBody, parts: PartsDep) -> dict[str, Any]:
    parts.members.redeem(body.points)
    return view(parts)
