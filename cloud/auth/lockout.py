"""Slow password guessing down without letting anyone lock anyone else out (decision 0031).

Counters live in ``auth_throttle`` rows (kind "login"), each over a window of
``settings.lockout_minutes``:

- per (username, client address): after ``lockout_failures`` failures that pair waits 1, 2,
  4 … minutes (at most ``lockout_minutes``) before its next try is even looked at; its count
  goes with a success, or a day after its first failure once no wait is pending;
- per client address (username ""): ``address_failures`` failures in the window, whatever the
  usernames, make that address wait until the window ends (password spraying);
- per username (address ""): ``account_lock_failures`` failures in the window from anywhere
  lock the account, but only for addresses it has never logged in from: its owner's correct
  password from a known-good address, a reset link or an admin's unlock still get in.

Unknown usernames are counted exactly like real ones and a lock is never revealed (a locked
account answers a right password from a new address like a wrong one), so the answers do not
tell real users from unknown ones. Nothing here commits.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from cloud.auth.exceptions import TooManyAttemptsError
from cloud.auth.models import KnownAddress, Throttle, User
from cloud.db.upsert import insert_ignore
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

LOGIN = "login"
ANY = ""
PAIR_MEMORY = timedelta(days=1)
STALE = timedelta(days=2)


def counter(
    session: Session, kind: str, username: str, address: str, now: datetime, window: timedelta
) -> Throttle:
    """The (kind, username, address) row, created if missing, its count reset once the
    window has passed. Concurrent first failures race on the UNIQUE key, never duplicate."""
    key = (Throttle.kind == kind, Throttle.username == username, Throttle.address == address)
    row = session.scalars(select(Throttle).where(*key)).one_or_none()
    if row is None:
        _forget_stale(session, now)
        session.execute(
            insert_ignore(session, Throttle).values(
                kind=kind, username=username, address=address, count=0, window_start=now
            )
        )
        row = session.scalars(select(Throttle).where(*key)).one()
    if now >= row.window_start + window and (row.blocked_until is None or now >= row.blocked_until):
        row.count = 0
        row.window_start = now
    return row


def _forget_stale(session: Session, now: datetime) -> None:
    """Rows idle for two days go (made-up usernames would otherwise pile up)."""
    session.execute(
        delete(Throttle).where(
            Throttle.window_start < now - STALE,
            or_(Throttle.blocked_until.is_(None), Throttle.blocked_until < now),
        )
    )


def _wait(row: Throttle | None, now: datetime) -> float:
    if row is None or row.blocked_until is None or now >= row.blocked_until:
        return 0.0
    return (row.blocked_until - now).total_seconds()


def check(session: Session, username: str, address: str, now: datetime) -> None:
    """:class:`TooManyAttemptsError` while this (username, address) or this address waits."""
    rows = session.scalars(
        select(Throttle).where(
            Throttle.kind == LOGIN,
            Throttle.address == address,
            Throttle.username.in_([username, ANY]),
        )
    ).all()
    wait = max((_wait(row, now) for row in rows), default=0.0)
    if wait > 0:
        raise TooManyAttemptsError(math.ceil(wait))


def failed(
    session: Session,
    username: str,
    address: str,
    user: User | None,
    *,
    now: datetime,
    settings: CloudSettings,
) -> None:
    """Count a failed login on all three counters; block or lock where a limit is reached."""
    window = timedelta(minutes=settings.lockout_minutes)
    pair = counter(session, LOGIN, username, address, now, PAIR_MEMORY)
    pair.count += 1
    beyond = pair.count - settings.lockout_failures
    if beyond >= 0:
        minutes = min(float(settings.lockout_minutes), 2.0 ** min(beyond, 20))
        pair.blocked_until = now + timedelta(minutes=minutes)
    per_address = counter(session, LOGIN, ANY, address, now, window)
    per_address.count += 1
    if per_address.count >= settings.address_failures:
        per_address.blocked_until = per_address.window_start + window
        log.warning("login: address %s waits until %s", address, per_address.blocked_until)
    per_user = counter(session, LOGIN, username, ANY, now, window)
    per_user.count += 1
    lock = per_user.count >= settings.account_lock_failures and user is not None
    if lock and user is not None and (user.locked_until is None or user.locked_until < now):
        user.locked_until = now + window
        log.warning("login: user %r locked for new addresses until %s", username, now + window)


def lock_applies(session: Session, user: User, address: str, now: datetime) -> bool:
    """True while the account is locked and ``address`` has never logged in as this user."""
    if user.locked_until is None or now >= user.locked_until:
        return False
    known = session.get(KnownAddress, (user.id, address))
    return known is None


def succeeded(session: Session, user: User, address: str, now: datetime) -> None:
    """Forget this pair's failures and remember the address as known-good for the user."""
    session.execute(
        delete(Throttle).where(
            Throttle.kind == LOGIN, Throttle.username == user.username, Throttle.address == address
        )
    )
    known = session.get(KnownAddress, (user.id, address))
    if known is None:
        session.add(KnownAddress(user_id=user.id, address=address, last_login_at=now))
    else:
        known.last_login_at = now


def unlock(session: Session, user: User) -> None:
    """An admin's unlock, or a password reset: the account lock and its username's counters go."""
    user.locked_until = None
    user.failed_logins = 0
    session.execute(
        delete(Throttle).where(Throttle.kind == LOGIN, Throttle.username == user.username)
    )
