"""/members: chain-wide member profiles and their points ledger.

Staff and managers (and admins) see, register and edit members; deleting and points
adjustments are for managers. A checkout (cashier) sees only the masked balance lookup of
``/members/lookup/balance``; head office sees no member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.deps import (
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    audit,
    store_for,
)
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.members import service
from cloud.members.models import Member
from cloud.members.schemas import (
    MemberCreate,
    MemberOut,
    MemberUpdate,
    PointsAdjust,
    PointsEntryOut,
)
from cloud.stores import service as stores

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/members", tags=["members"])

MemberId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def member_out(session: Session, m: Member) -> MemberOut:
    store = stores.store_by_id(session, m.home_store_id) if m.home_store_id is not None else None
    return MemberOut(
        id=m.id,
        phone=m.phone,
        card=m.card,
        name=m.name,
        tier=m.tier,
        birthday=m.birthday,
        points_balance=m.points_balance,
        lifetime_spend=m.lifetime_spend,
        home_store=store.code if store is not None else None,
        joined_at=m.joined_at,
    )


def _get(session: Session, member_id: int) -> Member:
    member = service.member_by_id(session, member_id)
    if member is None:
        raise NotFoundError(f"member {member_id} not found")
    return member


@router.get("", response_model=Page[MemberOut])
def list_members(
    user: StaffUser,
    session: SessionDep,
    page: PageDep,
    phone: Annotated[str | None, Query(max_length=20)] = None,
    card: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Name, phone or card contains")
    ] = None,
    tier: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[MemberOut]:
    rows, total = service.list_page(
        session, phone=phone, card=card, q=q, tier=tier, limit=page.limit, offset=page.offset
    )
    items = [member_out(session, m) for m in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=MemberOut, status_code=status.HTTP_201_CREATED)
def create_member(
    body: MemberCreate, user: StaffUser, session: SessionDep, now: NowDep
) -> MemberOut:
    if body.phone is None and body.card is None:
        raise ValidationFailedError("a member needs a phone number or a card")
    home = store_for(session, user, body.home_store) if body.home_store else None
    member = service.create_member(
        session,
        phone=body.phone,
        card=body.card,
        name=body.name,
        birthday=body.birthday,
        joined_at=now,
    )
    if home is not None:
        member.home_store_id = home.id
    audit(session, user, now, "create", "member", member.id, details=body.model_dump(mode="json"))
    session.flush()
    session.refresh(member)
    out = member_out(session, member)
    session.commit()
    return out


@router.get("/{member_id}", response_model=MemberOut)
def get_member(member_id: MemberId, user: StaffUser, session: SessionDep) -> MemberOut:
    return member_out(session, _get(session, member_id))


@router.patch("/{member_id}", response_model=MemberOut)
def update_member(
    member_id: MemberId, body: MemberUpdate, user: StaffUser, session: SessionDep, now: NowDep
) -> MemberOut:
    member = _get(session, member_id)
    changes = body.model_dump(exclude_unset=True)
    if "phone" in changes and changes["phone"] is not None:
        other = service.by_phone(session, changes["phone"])
        if other is not None and other.id != member.id:
            raise ConflictError(f"phone {changes['phone']} is already a member")
    if "card" in changes and changes["card"] is not None:
        other = service.by_card(session, changes["card"])
        if other is not None and other.id != member.id:
            raise ConflictError(f"card {changes['card']} is already a member")
    for key, value in changes.items():
        if key == "name" and value is None:
            continue
        setattr(member, key, value)
    if member.phone is None and member.card is None:
        raise ValidationFailedError("a member needs a phone number or a card")
    audit(
        session,
        user,
        now,
        "update",
        "member",
        member.id,
        details=body.model_dump(mode="json", exclude_unset=True),
    )
    session.flush()
    out = member_out(session, member)
    session.commit()
    return out


@router.delete("/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_member(member_id: MemberId, user: ManagerUser, session: SessionDep, now: NowDep) -> None:
    member = _get(session, member_id)
    audit(session, user, now, "delete", "member", member.id)
    session.delete(member)
    session.commit()


@router.get("/{member_id}/points", response_model=Page[PointsEntryOut])
def points_ledger(
    member_id: MemberId, user: StaffUser, session: SessionDep, page: PageDep
) -> Page[PointsEntryOut]:
    _get(session, member_id)
    rows, total = service.points_page(session, member_id, limit=page.limit, offset=page.offset)
    items = [
        PointsEntryOut(
            id=e.id,
            kind=e.kind,
            points=e.points,
            sale_id=e.sale_id,
            reason=e.reason,
            expires_at=e.expires_at,
            created_at=e.created_at,
        )
        for e in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/{member_id}/points", response_model=MemberOut)
def adjust_points(
    member_id: MemberId, body: PointsAdjust, user: ManagerUser, session: SessionDep, now: NowDep
) -> MemberOut:
    """Manual adjustment; the balance never goes below zero."""
    member = _get(session, member_id)
    if member.points_balance + body.points < 0:
        raise ValidationFailedError("points balance cannot go below zero")
    service.adjust_points(
        session, member.id, body.points, kind=body.kind, reason=body.reason, now=now
    )
    audit(session, user, now, "adjust_points", "member", member.id, details=body.model_dump())
    session.refresh(member)
    out = member_out(session, member)
    session.commit()
    return out
