"""The error answers of the API, documented once: every operation's OpenAPI ``responses`` get
the statuses it can return, from shared definitions and a few rules, so clients generated
from the document know them all (schemathesis checks it in CI: tests/cloud/api).

Rules, applied by :func:`document_errors` to each route (an explicit ``responses=`` on a
route wins):

- 401 and 403 (login, role, store scope, CSRF, another site's Origin) on every operation;
- 400, 413 and 422 on every operation that takes a body (400: not decodable as declared);
  422 on every one with parameters;
- 404 where the operation names something by path or by a lookup parameter (store, phone,
  card, gtin …), and on writes (they name stores, products, members … in their bodies);
- 409 on every write (a taken code, a state that does not allow it);
- 429 on the operations that log in or mail a reset link (``route.path`` is the domain
  router's path, e.g. ``/auth/token``, before the ``/api/v1`` prefix);
- 503 on every operation: the database is busy or away (SQLite's busy timeout ran out,
  PostgreSQL restarting); retry after Retry-After seconds;
- the media types a ``format`` parameter chooses (csv, svg, html …) on the success answer.
"""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """Every error but 422: one human-readable reason."""

    detail: str = Field(examples=["store 'north' not found"])


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    """422: what was wrong, field by field (FastAPI's own shape, also for domain checks)."""

    detail: list[FieldError]


_DESCRIPTIONS = {
    400: "The request cannot be carried out as sent",
    401: "Not logged in, or the token is expired or revoked",
    403: "Not allowed: role, store scope, CSRF token, or a page of another site",
    404: "Not found (an unknown id or code)",
    409: "Conflicts with existing data or with the current state",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many attempts from this client; retry after Retry-After seconds",
    503: "The database is busy or away; retry after Retry-After seconds",
}

PUBLIC = frozenset(
    {"/auth/token", "/auth/session", "/auth/password-reset", "/auth/password-reset/confirm"}
)
THROTTLED = frozenset({"/auth/token", "/auth/session", "/auth/password-reset"})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Parameters that name one thing: an unknown value is a 404.
LOOKUP_KEYS = frozenset({"store", "phone", "card", "gtin", "barcode", "sku", "member_id"})


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Shared ``responses=`` entries for the given statuses."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model = ValidationErrorOut if code == 422 else ErrorOut
        out[code] = {"model": model, "description": _DESCRIPTIONS[code]}
    return out


def statuses_of(route: APIRoute) -> list[int]:
    """The error statuses a route can answer with, by the rules above."""
    params = get_flat_params(route.dependant)
    path = route.path
    public = path in PUBLIC
    codes = [403, 503] if public else [401, 403, 503]
    if path in THROTTLED:
        codes.append(429)
    if route.body_field is not None:
        codes += [400, 413, 422]
    elif params:
        codes.append(422)
    writes = bool((route.methods or set()) & UNSAFE) and not public
    if writes or "{" in route.path or any(p.name in LOOKUP_KEYS for p in params):
        codes.append(404)
    if writes:
        codes.append(409)
    return sorted(set(codes))


MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "svg": "image/svg+xml",
    "html": "text/html",
    "pdf": "application/pdf",
}


def formats_of(route: APIRoute) -> list[str]:
    """Media types the route's ``format`` query parameter (a Literal) can choose, or that
    its path names (``export.csv``, ``…/pdf``)."""
    if route.path.endswith(".csv"):
        return ["text/csv"]
    if route.path.endswith("/pdf"):
        return ["application/pdf"]
    for param in get_flat_params(route.dependant):
        if param.name == "format":
            choices = get_args(param.field_info.annotation)
            return [MEDIA_TYPES[c] for c in choices if c in MEDIA_TYPES]
    return []


def document_errors(router: APIRouter) -> None:
    """Add the rule-based error responses to every route of ``router`` (in place, idempotent)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        for code, entry in errors(*statuses_of(route)).items():
            route.responses.setdefault(code, entry)
        others = [m for m in formats_of(route) if m != "application/json"]
        if others:
            success = route.responses.setdefault(route.status_code or 200, {})
            content = success.setdefault("content", {})
            for media in others:
                content.setdefault(media, {"schema": {"type": "string"}})
