"""Reuse the API and console fixtures (app on SQLite and PostgreSQL, fake clock, seeded users)."""

from tests.cloud.api.conftest import api, clock, settings
from tests.cloud.web.conftest import console

__all__ = ["api", "clock", "console", "settings"]
