"""CSRF defences: session-bound tokens for the console, and an Origin check for every unsafe
browser request (login and logout included).

Tokens are an HMAC of the session token under the secret key: stateless and bound to one
session, so a token stolen from another session or forged by a third-party page never
verifies. The console sends it in ``X-CSRF-Token`` or a form field on every unsafe request;
bearer-token clients need none (browsers never attach bearer headers).

A token cannot protect a request that *creates* the session (login CSRF: a third-party page
logs the victim into the attacker's account). Browsers send ``Origin`` (else ``Referer``) on
every cross-site POST, so :func:`cross_origin` refuses an unsafe request whose Origin or
Referer is neither this site nor an allowed origin (``settings.allowed_origins``). A request
with neither header is not from a browser page and passes to its usual checks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(
        secret.encode(), b"csrf:" + session_token.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def verify_csrf(secret: str, session_token: str, candidate: str) -> bool:
    if not candidate:
        return False
    return hmac.compare_digest(csrf_token(secret, session_token), candidate)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port; None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def cross_origin(
    origin: str | None, referer: str | None, own: Iterable[str], allowed: Iterable[str]
) -> str | None:
    """Why an unsafe request from a browser page of another origin is refused, or None.

    ``own`` are this site's origins (the request's scheme and Host, ``public_url``);
    ``allowed`` the extra ones from the settings.
    """
    claimed = origin if origin is not None else referer
    if claimed is None:
        return None
    if claimed.strip() == "null":
        return "opaque origin (null)"
    seen = origin_of(claimed)
    trusted = {o for o in (origin_of(u) for u in (*own, *allowed)) if o is not None}
    if seen is None or seen not in trusted:
        return f"origin {claimed[:100]!r} is not this site"
    return None
