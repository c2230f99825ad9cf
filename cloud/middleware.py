"""One guard in front of every route (API, console, docs): body size, cross-origin writes,
security headers, Secure cookies and HSTS.

A pure ASGI middleware (streams such as the console's live alerts pass through untouched):

- a declared Content-Length over the limit (``max_body_bytes`` on the API,
  ``max_upload_bytes`` elsewhere) is a JSON 413 before the body is read; a body streamed
  without one is cut by FastAPI's ``max_body_size`` on the same routers (create_app,
  mount_console), also a JSON 413;
- an unsafe request whose Origin/Referer is another site is a 403 (login CSRF:
  cloud/auth/csrf.py), whatever the route, so every cookie-setting endpoint is covered;
- every response gets nosniff, a frame ban, a Referrer-Policy and a Content-Security-Policy
  chosen by path (the console, the API docs, the rest of the API);
- over HTTPS (``--ssl-*`` serving, or a trusted proxy's X-Forwarded-Proto) every cookie gets
  ``Secure`` and the response ``Strict-Transport-Security``; ``settings.cookie_secure`` forces
  ``Secure`` on plain HTTP too.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cloud.auth.csrf import cross_origin
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONSOLE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# Swagger UI: its bundle and CSS are served from here, its start-up script too (cloud/apidocs.py).
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
API_PREFIXES = ("/api/", "/openapi.json", "/metrics", "/healthz")


def csp_for(path: str) -> str:
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS_CSP
    if path.startswith(API_PREFIXES):
        return API_CSP
    return CONSOLE_CSP


def security_headers(path: str, https: bool, hsts_seconds: int) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy", csp_for(path).encode()),
    ]
    if https and hsts_seconds > 0:
        headers.append((b"strict-transport-security", f"max-age={hsts_seconds}".encode()))
    return headers


def _secure_cookie(value: bytes) -> bytes:
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return value if b"secure" in attributes else value + b"; Secure"


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: CloudSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        if method in UNSAFE:
            refused = self._refusal(scope, headers)
            if refused is not None:
                await self._reply(scope, send, *refused)
                return
        https = scope.get("scheme") == "https"
        secure_cookies = https or self.settings.cookie_secure
        extra = security_headers(scope.get("path", ""), https, self.settings.hsts_seconds)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                out: list[tuple[bytes, bytes]] = []
                for name, value in message.get("headers", []):
                    if secure_cookies and name.lower() == b"set-cookie":
                        value = _secure_cookie(value)
                    out.append((name, value))
                out.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": out}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        path = scope.get("path", "")
        limit = (
            self.settings.max_body_bytes
            if path.startswith("/api/")
            else self.settings.max_upload_bytes
        )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return 413, f"request body larger than {limit} bytes"
        own = [self.settings.public_url]
        if "host" in headers:
            # Either scheme: behind a TLS proxy not in trusted_proxies the app sees http://
            # while the browser says https:// for the same host (HSTS keeps browsers on https).
            own += [f"http://{headers['host']}", f"https://{headers['host']}"]
        why = cross_origin(
            headers.get("origin"), headers.get("referer"), own, self.settings.allowed_origins
        )
        if why is not None:
            log.warning("refused cross-origin %s %s: %s", scope["method"], scope["path"], why)
            return 403, "cross-origin request refused"
        return None

    async def _reply(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        https = scope.get("scheme") == "https"
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *security_headers(scope.get("path", ""), https, self.settings.hsts_seconds),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
