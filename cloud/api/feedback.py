"""/feedback: anyone may leave feedback (a member through their e-receipt, or anonymously);
managers of the store (admins: all, and chain-wide feedback) list, assign, answer and close
it, and read the ratings roll-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, status

from cloud.auth import service as auth
from cloud.deps import (
    CtxDep,
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
    check_store_id,
    scope_store_ids,
    store_for,
)
from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.feedback import service
from cloud.feedback.models import Feedback
from cloud.feedback.schemas import (
    Action,
    FeedbackAction,
    FeedbackIn,
    FeedbackOut,
    FeedbackReceived,
    RatingsOut,
    StatusFilter,
)
from cloud.sales.receipts import find_receipt
from cloud.stores import service as stores
from cloud.stores.localtime import local_today, zone

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.auth.service import Principal

router = APIRouter(prefix="/feedback", tags=["feedback"])
FeedbackId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_GROUPS = {"open": ("new", "answered")}
MAX_DAYS = 366


def feedback_out(row: Feedback, codes: dict[int, str]) -> FeedbackOut:
    return FeedbackOut(
        id=row.id, store=codes.get(row.store_id) if row.store_id else None,
        member_id=row.member_id, rating=row.rating, message=row.message, source=row.source,
        sale_ref=row.sale_ref, status=row.status, assignee=row.assignee,
        response=row.response, handled_by=row.handled_by, handled_at=row.handled_at,
        created_at=row.created_at,
    )  # fmt: skip


@router.post("", response_model=FeedbackReceived, status_code=status.HTTP_201_CREATED)
def leave_feedback(
    body: FeedbackIn, session: SessionDep, now: NowDep, ctx: CtxDep
) -> FeedbackReceived:
    """No sign-in. With ``receipt`` the feedback names that sale's store and member (one
    per receipt: 409 after); a receipt token that does not verify is a 404."""
    store_id = member_id = sale_ref = None
    if body.receipt is not None:
        view = find_receipt(
            session, ctx.settings.secret_key.get_secret_value().encode(), body.receipt
        )
        if view is None:
            raise NotFoundError("no such receipt")
        store_id, member_id, sale_ref = view.store.id, view.sale.member_id, view.sale.sale_id
    elif body.store is not None:
        found = stores.find_store(session, body.store)
        if found is None:
            raise NotFoundError(f"store {body.store!r} not found")
        store_id = found.id
    row = service.submit(
        session, message=body.message, rating=body.rating, store_id=store_id,
        member_id=member_id, sale_ref=sale_ref, now=now,
        source="receipt" if sale_ref else "api",
    )  # fmt: skip
    out = FeedbackReceived(id=row.id, status=row.status)
    session.commit()
    return out


@router.get("", response_model=Page[FeedbackOut])
def list_feedback(
    user: ManagerUser,
    session: SessionDep,
    page: PageDep,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
    status: Annotated[StatusFilter | None, Query(description="A status, or open")] = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[FeedbackOut]:
    """New first, then answered, then closed; admins also see chain-wide feedback."""
    rows, total = service.list_page(
        session,
        store_ids=scope_store_ids(session, user, store),
        with_chain=user.is_admin and store is None,
        statuses=None if status is None else _GROUPS.get(status, (status,)),
        assignee=assignee,
        limit=page.limit,
        offset=page.offset,
    )
    codes = stores.codes(session, {r.store_id for r in rows if r.store_id})
    return Page(
        items=[feedback_out(r, codes) for r in rows],
        total=total, limit=page.limit, offset=page.offset,
    )  # fmt: skip


@router.get("/ratings", response_model=list[RatingsOut])
def ratings(
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
    from_: Annotated[date | None, Query(alias="from", description="First local day")] = None,
    to: Annotated[date | None, Query(description="Last local day; default: today there")] = None,
) -> list[RatingsOut]:
    """Feedback received on the store's local days [from, to] (default: the last 30 days)."""
    row = store_for(session, user, store)
    tz = zone(row.timezone)
    last = to or local_today(tz, now)
    first = from_ or last - timedelta(days=29)
    if last < first or (last - first).days >= MAX_DAYS or first.year < 2000 or last.year > 2100:
        raise ValidationFailedError(f"'to' before 'from', over {MAX_DAYS} days, or out of range")
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return [
        RatingsOut(
            store=row.code,
            received=s.received,
            rated=s.rated,
            average=s.average,
            by_rating={str(k): v for k, v in s.by_rating.items()},
            by_status=s.by_status,
        )
        for s in service.ratings(session, [row.id], start, end)
    ]


def _scoped(session: Session, user: Principal, feedback_id: int) -> Feedback:
    row = service.get(session, feedback_id)
    if row.store_id is None:
        if not user.is_admin:
            raise NotFoundError(f"feedback {feedback_id} not found")
    else:
        check_store_id(user, row.store_id)
    return row


@router.post(
    "/{feedback_id}/{action}",
    response_model=FeedbackOut,
    responses={409: {"description": "Closed already, or an answer without a reply"}},
)
def feedback_action(
    feedback_id: FeedbackId,
    action: Action,
    body: FeedbackAction,
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
) -> FeedbackOut:
    """assign (to staff of the store), answer (with ``response``), close."""
    row = _scoped(session, user, feedback_id)
    if action == "assign" and body.assignee is not None:
        allowed = auth.store_staff(session, row.store_id) if row.store_id else []
        if body.assignee not in allowed and body.assignee != user.username:
            raise ValidationFailedError(f"{body.assignee!r} is not staff of this store")
    service.act(session, row, action, by=user.username, now=now, assignee=body.assignee,
                response=body.response)  # fmt: skip
    audit(session, user, now, action, "feedback", row.id, store_id=row.store_id,
          details={"status": row.status, "assignee": row.assignee})  # fmt: skip
    out = feedback_out(row, stores.codes(session, {row.store_id} if row.store_id else set()))
    session.commit()
    return out
