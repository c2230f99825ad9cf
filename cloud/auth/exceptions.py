"""Authentication and authorisation errors, mapped to 401/403/423 at the API boundary."""

from __future__ import annotations

from datetime import datetime

from cloud.exceptions import CloudError, ValidationFailedError


class AuthError(CloudError):
    """Base of authentication and authorisation errors."""


class AuthenticationError(AuthError):
    """No credentials, wrong credentials, or an expired or revoked token (HTTP 401)."""


class AccountLockedError(AuthError):
    """Too many failed logins; refused until ``until`` even with the right password."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"account locked until {until.isoformat()}")
        self.until = until


class PermissionDeniedError(AuthError):
    """Authenticated, but the role or the store scope does not allow it (HTTP 403)."""


class InvalidResetTokenError(AuthError):
    """A password reset token that is unknown, used, or expired."""


class WeakPasswordError(ValidationFailedError):
    """A new password that the policy refuses."""
