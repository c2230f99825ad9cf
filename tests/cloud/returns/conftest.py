"""Reuse the API fixtures (app on SQLite and PostgreSQL, fake clock, users per role)."""

from tests.cloud.api.conftest import api, clock, settings  # noqa: F401
