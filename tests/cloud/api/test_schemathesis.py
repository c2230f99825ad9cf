"""Property-based fuzzing of every operation in the OpenAPI document, authenticated as admin:
whatever schemathesis sends, the API answers without a 5xx (reduced budget for CI).

Operations are driven one by one with hypothesis (``operation.as_strategy()``) because
schemathesis' pytest fixture loader does not support pytest 9 yet.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.cloud.api.conftest import Api

# Endpoints that would end the admin's own session mid-run (and so test nothing further).
SKIP = "^/api/v1/auth/(logout|password)$"
EXAMPLES = int(os.environ.get("SMARTSTORE_FUZZ_EXAMPLES", "6"))  # raise it for a deeper local run


@pytest.mark.slow
def test_no_server_errors(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app).exclude(path_regex=SKIP)
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    failures: list[str] = []
    operations = 0
    answered: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            answered.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.query or ''} "
                f"{str(case.body)[:200]} -> {response.status_code} {response.text[:300]}"
            )

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0][:600])
    assert operations >= 40
    assert failures == []
    # The run really was authenticated and reached the handlers, not just the auth wall.
    ok = sorted(op for op, codes in answered.items() if any(200 <= c < 300 for c in codes))
    assert len(ok) >= 20, answered


@pytest.mark.slow
def test_session_ending_operations_have_no_server_errors(api: Api) -> None:
    """The two operations skipped above (logout, password change), each case on a fresh
    login of its own so ending that session cannot blind the rest of the run."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app).include(path_regex=SKIP)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {api.token('manager_a')}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {str(case.body)[:200]}"
                f" -> {response.status_code} {response.text[:300]}"
            )

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0][:600])
    assert operations == 2
    assert failures == []
