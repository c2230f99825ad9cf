"""Forgotten password: a single-use token, valid ``settings.reset_token_minutes``, sent by mail;
rate-limited per user and per client address, and only the newest token of a user works."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud.auth import lockout
from cloud.auth import repository as repo
from cloud.auth.exceptions import InvalidResetTokenError, TooManyAttemptsError
from cloud.auth.models import PasswordResetToken, User
from cloud.auth.notifier import Mail, Notifier
from cloud.auth.service import check_password_policy, hash_token, set_password
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

RESET = "reset"
HOUR = timedelta(hours=1)


def request_password_reset(
    session: Session,
    username: str,
    *,
    address: str | None,
    now: datetime,
    settings: CloudSettings,
    notifier: Notifier,
) -> str | None:
    """Send a single-use link; returns the raw token (for the caller's logs in tests) or None.

    Unknown or mail-less users get no mail and the API answers the same, so usernames
    cannot be probed through this endpoint. A client address asking more than
    ``reset_per_address_per_hour`` times gets :class:`TooManyAttemptsError` whatever the
    username (``address`` None: an admin's request, not limited per address); a user already
    sent ``reset_per_user_per_hour`` mails in the last hour gets no
    more (silently: the answer stays the same). A new token voids the user's older ones.
    """
    if address is not None:
        per_address = lockout.counter(session, RESET, lockout.ANY, address, now, HOUR)
        if per_address.count >= settings.reset_per_address_per_hour:
            wait = per_address.window_start + HOUR - now
            raise TooManyAttemptsError(int(wait.total_seconds()))
        per_address.count += 1
    user = repo.user_by_username(session, username)
    if user is None or not user.active or not user.email:
        log.info("password reset requested for unknown or mail-less user")
        return None
    sent = session.scalar(
        select(func.count())
        .select_from(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - HOUR)
    )
    if (sent or 0) >= settings.reset_per_user_per_hour:
        log.warning("password reset for %r not sent: %d mails in the last hour", username, sent)
        return None
    _void_tokens(session, user.id, now)
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            token_hash=hash_token(raw),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.reset_token_minutes),
        )
    )
    link = f"{settings.public_url.rstrip('/')}/reset-password?token={raw}"
    body = (
        f"Hello {user.full_name or user.username},\n\n"
        f"Use this link within {settings.reset_token_minutes} minutes to set a new password:\n"
        f"{link}\n\nReset token: {raw}\n\nIf you did not ask for it, ignore this mail.\n"
    )
    notifier.send(Mail(to=user.email, subject="smartstore password reset", body=body), session, now)
    session.flush()
    return raw


def _void_tokens(session: Session, user_id: int, now: datetime) -> None:
    """Spend every unused token of the user: only the newest link (or none) works."""
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


def reset_password(
    session: Session, raw: str, new_password: str, *, now: datetime, hasher: PasswordHasher
) -> User:
    """Set the password; the token and every other outstanding one of the user are spent,
    and the account lock and failure counters go (a reset link passes a lock). Audited here,
    whichever door (API, console) the reset came through; the caller commits."""
    from cloud.audit.service import record

    token = repo.reset_token_by_hash(session, hash_token(raw))
    if token is None or token.used_at is not None or now >= token.expires_at:
        raise InvalidResetTokenError("reset token is invalid, used or expired")
    user = repo.user_by_id(session, token.user_id)
    if user is None or not user.active:
        raise InvalidResetTokenError("reset token is invalid, used or expired")
    check_password_policy(new_password)
    _void_tokens(session, user.id, now)
    set_password(session, user, new_password, now, hasher)
    record(
        session,
        at=now,
        action="password_reset",
        entity="user",
        entity_id=user.id,
        actor=user.username,
        actor_id=user.id,
    )
    return user
