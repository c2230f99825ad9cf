"""Forgotten password: a single-use token, valid ``settings.reset_token_minutes``, sent by mail."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from cloud.auth import repository as repo
from cloud.auth.exceptions import InvalidResetTokenError
from cloud.auth.models import PasswordResetToken, User
from cloud.auth.notifier import Mail, Notifier
from cloud.auth.service import check_password_policy, hash_token, set_password
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)


def request_password_reset(
    session: Session,
    username: str,
    *,
    now: datetime,
    settings: CloudSettings,
    notifier: Notifier,
) -> str | None:
    """Send a single-use link; returns the raw token (for the caller's logs in tests) or None.

    Unknown or mail-less users get no mail and the API answers the same, so usernames
    cannot be probed through this endpoint.
    """
    user = repo.user_by_username(session, username)
    if user is None or not user.active or not user.email:
        log.info("password reset requested for unknown or mail-less user")
        return None
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


def reset_password(
    session: Session, raw: str, new_password: str, *, now: datetime, hasher: PasswordHasher
) -> User:
    token = repo.reset_token_by_hash(session, hash_token(raw))
    if token is None or token.used_at is not None or now >= token.expires_at:
        raise InvalidResetTokenError("reset token is invalid, used or expired")
    user = repo.user_by_id(session, token.user_id)
    if user is None or not user.active:
        raise InvalidResetTokenError("reset token is invalid, used or expired")
    check_password_policy(new_password)
    token.used_at = now
    set_password(session, user, new_password, now, hasher)
    return user
