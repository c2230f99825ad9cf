"""Posting and withdrawing notices. Who may target what is decided here, once, for the API and
the console: admins post to any store or to all; managers only to stores they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.service import Principal
from cloud.exceptions import NotFoundError
from cloud.notices import repository
from cloud.notices.exceptions import NoticeError
from cloud.notices.models import LEVELS, Notice

MAX_TITLE = 120
MAX_BODY = 2000


def post(
    session: Session,
    author: Principal,
    *,
    store_id: int | None,
    title: str,
    body: str,
    level: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> Notice:
    title, body = title.strip(), body.strip()
    if not title:
        raise NoticeError("a notice needs a title")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise NoticeError("notice text is too long")
    if level not in LEVELS:
        raise NoticeError(f"level must be one of {', '.join(LEVELS)}")
    if expires_at is not None and expires_at <= now:
        raise NoticeError("expiry must be in the future")
    if store_id is None and not author.is_admin:
        raise NoticeError("only head office can post to every store")
    if store_id is not None and not author.can_access_store(store_id):
        raise NoticeError("no access to this store")
    row = Notice(
        store_id=store_id,
        title=title,
        body=body,
        level=level,
        author=author.username,
        author_id=author.user_id,
        created_at=now,
        expires_at=expires_at,
        withdrawn=False,
    )
    session.add(row)
    session.flush()
    return row


def withdraw(session: Session, author: Principal, notice_id: int) -> Notice:
    """Chain-wide notices only by admins; a store's notice by anyone who can post there."""
    row = session.get(Notice, notice_id)
    if row is None:
        raise NotFoundError(f"notice {notice_id} not found")
    if row.store_id is None and not author.is_admin:
        raise NoticeError("only head office can withdraw a chain-wide notice")
    if row.store_id is not None and not author.can_access_store(row.store_id):
        # 403 like every other store-scoped row (decision 0030), not a 404 that only here
        # would pretend the row does not exist.
        raise PermissionDeniedError(f"notice {notice_id} belongs to another store")
    row.withdrawn = True
    session.flush()
    return row


def current_for(session: Session, store_ids: Sequence[int], now: datetime) -> list[Notice]:
    return repository.current_for(session, store_ids, now)


def visible_to(session: Session, viewer: Principal) -> list[Notice]:
    return repository.listing(session, None if viewer.is_admin else sorted(viewer.store_ids))
