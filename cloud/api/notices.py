"""/notices: post a notice to a store (managers) or to every store (admins); list and withdraw."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.deps import CurrentUser, ManagerUser, NowDep, SessionDep, audit, store_for
from cloud.notices import service
from cloud.notices.models import Notice
from cloud.notices.schemas import NoticeIn, NoticeOut
from cloud.stores import service as stores

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/notices", tags=["notices"])
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _codes(session: Session) -> dict[int, str]:
    return stores.codes(session)


def _out(row: Notice, codes: dict[int, str]) -> NoticeOut:
    return NoticeOut(
        id=row.id,
        store=None if row.store_id is None else codes.get(row.store_id),
        title=row.title,
        body=row.body,
        level=row.level,
        author=row.author,
        created_at=row.created_at,
        expires_at=row.expires_at,
        withdrawn=row.withdrawn,
    )


@router.get("", response_model=list[NoticeOut])
def current(
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
) -> list[NoticeOut]:
    """The notices a store shows now (its own and chain-wide), newest first."""
    row = store_for(session, user, store)
    return [_out(n, _codes(session)) for n in service.current_for(session, [row.id], now)]


@router.post("", response_model=NoticeOut, status_code=status.HTTP_201_CREATED)
def post(body: NoticeIn, user: ManagerUser, session: SessionDep, now: NowDep) -> NoticeOut:
    store_id = None if body.store is None else store_for(session, user, body.store).id
    row = service.post(
        session,
        user,
        store_id=store_id,
        title=body.title,
        body=body.body,
        level=body.level,
        now=now,
        expires_at=body.expires_at,
    )
    audit(
        session,
        user,
        now,
        "create",
        "notice",
        row.id,
        store_id=store_id,
        details={"title": row.title},
    )
    out = _out(row, _codes(session))
    session.commit()
    return out


@router.delete("/{notice_id}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw(notice_id: NoticeId, user: ManagerUser, session: SessionDep, now: NowDep) -> None:
    row = service.withdraw(session, user, notice_id)
    audit(session, user, now, "withdraw", "notice", row.id, store_id=row.store_id)
    session.commit()
