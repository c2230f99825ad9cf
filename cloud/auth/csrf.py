"""CSRF tokens for the cookie session: an HMAC of the session token under the secret key.

Stateless (nothing stored) and bound to one session, so a token stolen from another session
or forged by a third-party page never verifies. The console sends it in ``X-CSRF-Token`` on
every unsafe request; bearer-token clients need none (browsers never attach bearer headers).
"""

from __future__ import annotations

import hashlib
import hmac


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(
        secret.encode(), b"csrf:" + session_token.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def verify_csrf(secret: str, session_token: str, candidate: str) -> bool:
    if not candidate:
        return False
    return hmac.compare_digest(csrf_token(secret, session_token), candidate)
