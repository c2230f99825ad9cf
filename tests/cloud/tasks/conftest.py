"""Reuse the API fixtures (app on SQLite and PostgreSQL, fake clock, seeded users), with a
smart shelf registered in store-a so its stock events are applied."""

from __future__ import annotations

import pytest

from cloud.db.session import transaction
from cloud.devices import service as devices
from tests.cloud.api.conftest import Api, api, clock, settings

__all__ = ["api", "clock", "settings"]


@pytest.fixture(autouse=True)
def shelf(api: Api) -> None:
    with transaction(api.sessions) as s:
        devices.register_device(s, "store-a", "shelf-1", "shelf")
