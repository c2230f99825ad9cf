"""Role × store × operation: every operation of the OpenAPI document, called by every role, in
the caller's own store and in another one, on SQLite and PostgreSQL, gives the outcome the one
table (tests/cloud/api/access_table.py, shown in docs/SECURITY.md) says.

An operation added later fails ``test_every_operation_has_one_row`` until its row is added:
there is no default outcome.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloud.auth.models import Role
from cloud.deps import SESSION_COOKIE
from cloud.main import create_app
from cloud.settings import CloudSettings
from tests.cloud.api import access_purchasing, access_table, access_updates
from tests.cloud.api.access_requests import RECIPES, Call, defaults
from tests.cloud.api.access_table import ROLES, Row
from tests.cloud.api.access_world import FOREIGN, OWN, World
from tests.cloud.api.conftest import Api

METHODS = ("get", "post", "put", "patch", "delete")


def _openapi() -> dict[str, Any]:
    doc: dict[str, Any] = create_app(CloudSettings(database_url="sqlite://")).openapi()
    return doc


def _operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def test_every_operation_has_one_row() -> None:
    ops = set(_operations(_openapi()))
    table = set(access_table.rows())
    assert sorted(ops - table) == [], "operations without a row in tests/cloud/api/access_table.py"
    assert sorted(table - ops) == [], "rows for operations the API no longer has"


def test_every_role_has_a_column() -> None:
    assert set(ROLES) == {r.value for r in Role} | {"anonymous"}


def test_security_md_shows_the_table() -> None:
    text = access_table.SECURITY_MD.read_text(encoding="utf-8")
    assert access_table.documented(text) == access_table.markdown(), (
        "docs/SECURITY.md is out of date: run "
        "`.venv/bin/python -m tests.cloud.api.access_table --write`"
    )


# The matrix itself ------------------------------------------------------------------------


def _generic(op: dict[str, Any], doc: dict[str, Any], key: str) -> Any:
    """A request built from the OpenAPI description alone (operations without a recipe)."""
    method, path = key.split(" ", 1)

    def build(w: World, store: str) -> Call:
        values = defaults(w, store)
        url, params = path, {}
        for p in op.get("parameters", []):
            if p["in"] not in ("path", "query") or (p["in"] == "query" and not p.get("required")):
                continue
            if p["name"] not in values:
                pytest.fail(f"{key}: add a recipe to access_requests.py ({p['name']}?)")
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(values[p["name"]]))
            else:
                params[p["name"]] = values[p["name"]]
        body = None
        if op.get("requestBody", {}).get("required"):
            body = _example(op, doc)
            if body is None:
                pytest.fail(f"{key}: add a recipe to access_requests.py (request body)")
        return Call(method, url, params, body)

    return build


def _example(op: dict[str, Any], doc: dict[str, Any]) -> Any:
    content = op["requestBody"]["content"]
    schema = next(iter(content.values()))["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    examples = schema.get("examples") or []
    return examples[0] if examples else None


def _run(api: Api, w: World, row: Row, role: str, store: str, recipe: Any) -> int:
    call: Call = recipe(w, store)
    headers: dict[str, str] = {}
    if role != "anonymous" and call.cookie:
        api.client.cookies.set(SESSION_COOKIE, w.session_cookie(role))
    elif role != "anonymous":
        token = w.fresh_user(role)[1] if call.fresh_user else w.tokens[role]
        headers["Authorization"] = f"Bearer {token}"
    res = api.client.request(
        call.method,
        call.path,
        params=call.params,
        json=call.json,
        data=call.data,
        headers=headers,
    )
    return res.status_code


def _expected(row: Row, role: str, where: str) -> str:
    cell = row.cells[role]
    if cell in ("yes", "all") or (cell == "own" and where == "own"):
        return "2xx"
    return "401" if role == "anonymous" else "403"


@pytest.mark.slow
def test_role_store_operation_matrix(api: Api) -> None:
    doc = api.app.openapi()
    ops = _operations(doc)
    w = World(api).build()
    # A second client for requests that must not carry the first one's cookies.
    with TestClient(api.app) as fresh:
        api_fresh = Api(client=fresh, app=api.app, clock=api.clock, sessions=api.sessions)
        wrong: list[str] = []
        runs = 0
        for key, row in access_table.rows().items():
            recipe = (
                RECIPES.get(key)
                or access_purchasing.RECIPES.get(key)
                or access_updates.RECIPES.get(key)
                or _generic(ops[key], doc, key)
            )
            places = (("own", OWN), ("foreign", FOREIGN)) if row.store_scoped else (("-", OWN),)
            for role in ROLES:
                for where, store in places:
                    want = _expected(row, role, where)
                    got = _run(api_fresh, w, row, role, store, recipe)
                    runs += 1
                    ok = 200 <= got < 300 if want == "2xx" else str(got) == want
                    if not ok:
                        wrong.append(f"{key} as {role} in {where} store: {got}, table says {want}")
                    fresh.cookies.clear()
    assert not wrong, "\n".join(wrong)
    assert runs >= 2 * len(ops) * len(ROLES) * 0.6  # most operations name a store
