"""Reuse the API fixtures (app on SQLite and PostgreSQL, fake clock, seeded users)."""

from tests.cloud.api.conftest import api, clock, settings

__all__ = ["api", "clock", "settings"]
