"""Console errors, turned into redirects or HTML error pages by :mod:`cloud.web.mount`."""

from __future__ import annotations

from cloud.exceptions import CloudError


class ConsoleError(CloudError):
    """Base of console errors."""


class LoginRequiredError(ConsoleError):
    """No valid session cookie: the console redirects to the login page."""

    def __init__(self, next_url: str = "") -> None:
        super().__init__("login required")
        self.next_url = next_url


class ForbiddenPageError(ConsoleError):
    """Signed in, but the role or the store scope does not allow this page (HTTP 403)."""


class CsrfRejectedError(ConsoleError):
    """A form POST or htmx request without the session's CSRF token (HTTP 403)."""


class PageNotFoundError(ConsoleError):
    """An unknown product, member, store or alert in a console URL (HTTP 404)."""


class CommandError(ConsoleError):
    """A device command that could not be handed to the broker."""
