"""Every example in config/ validates against the model that reads it, so the docs stay true."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.settings import load_settings
from edge.config import load_config
from kiosk.config import KioskConfig
from shelf_sensors.config import ShelfConfig

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_cloud_example_validates() -> None:
    settings = load_settings(CONFIG / "cloud.example.yaml")
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.ingest_shared is True
    assert settings.cookie_secure is True


@pytest.mark.parametrize(
    ("name", "model"), [("kiosk.example.yaml", KioskConfig), ("shelf.example.yaml", ShelfConfig)]
)
def test_node_examples_validate(name: str, model: type) -> None:
    config = load_config(model, CONFIG / name, environ={})
    assert config.identity.store == "demo"


def test_cloud_example_with_a_typo_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "cloud.yaml"
    bad.write_text((CONFIG / "cloud.example.yaml").read_text() + "lockout_minuts: 3\n")
    with pytest.raises(ValueError, match="lockout_minuts"):
        load_settings(bad)
