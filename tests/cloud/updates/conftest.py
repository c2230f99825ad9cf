"""The API fixtures of tests/cloud/api, with a directory for published bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.settings import CloudSettings
from tests.cloud.api.conftest import api, clock  # noqa: F401 - fixtures used by test_api


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> CloudSettings:
    return CloudSettings(database_url=db_url, updates_dir=tmp_path / "updates")
