"""Authentication and authorisation errors, mapped to 401/403/429 at the API boundary."""

from __future__ import annotations

from cloud.exceptions import CloudError, ValidationFailedError


class AuthError(CloudError):
    """Base of authentication and authorisation errors."""


class AuthenticationError(AuthError):
    """No credentials, wrong credentials, or an expired or revoked token (HTTP 401)."""


class TooManyAttemptsError(AuthError):
    """Too many login or reset attempts from this client; retry after ``retry_after`` s (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = max(1, retry_after)


class PermissionDeniedError(AuthError):
    """Authenticated, but the role or the store scope does not allow it (HTTP 403)."""


class InvalidResetTokenError(AuthError):
    """A password reset token that is unknown, used, or expired."""


class WeakPasswordError(ValidationFailedError):
    """A new password that the policy refuses."""
