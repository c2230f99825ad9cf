"""Config files of every node and of the cloud: a bad file is refused with a named reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cloud.settings import CloudSettingsError, load_settings
from edge.config import NodeConfig, load_config
from edge.exceptions import ConfigError
from kiosk.config import KioskConfig
from shelf_sensors.config import ShelfConfig
from tests.fuzz.strategies import (
    FUZZ,
    hostile_bytes,
    json_values,
    refused_with_reason,
    replace_somewhere,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES: dict[type[NodeConfig], Any] = {
    KioskConfig: yaml.safe_load((ROOT / "config/kiosk.example.yaml").read_text()),
    ShelfConfig: yaml.safe_load((ROOT / "config/shelf.example.yaml").read_text()),
    NodeConfig: {"identity": {"store": "demo", "node": "kiosk-1"}},
}
MODELS = st.sampled_from(sorted(EXAMPLES, key=lambda m: m.__name__))
yaml_keys = st.text(max_size=12) | st.integers() | st.booleans() | st.none()
yaml_docs = st.recursive(
    json_values,
    lambda inner: st.dictionaries(yaml_keys, inner, max_size=5),
    max_leaves=20,
)


@st.composite
def mutated_config(draw: st.DrawFn) -> tuple[type[NodeConfig], bytes]:
    model = draw(MODELS)
    doc = replace_somewhere(draw, EXAMPLES[model])
    return model, yaml.safe_dump(doc, allow_unicode=True).encode()


def load(tmp: Path, model: type[NodeConfig], raw: bytes, env: dict[str, str]) -> None:
    path = tmp / "node.yaml"
    path.write_bytes(raw)
    try:
        load_config(model, path, environ=env)
    except ConfigError as exc:
        refused_with_reason(exc)


@FUZZ
@given(case=mutated_config(), env_value=st.none() | st.text(max_size=20))
def test_node_configs_mutated_load_or_name_the_field(
    tmp_path: Path, case: tuple[type[NodeConfig], bytes], env_value: str | None
) -> None:
    model, raw = case
    env = {} if env_value is None else {"SMARTSTORE_MQTT__KEEPALIVE": env_value}
    load(tmp_path, model, raw, env)


@FUZZ
@given(model=MODELS, raw=hostile_bytes | yaml_docs.map(lambda d: yaml.safe_dump(d).encode()))
def test_node_configs_from_any_bytes_load_or_refuse(
    tmp_path: Path, model: type[NodeConfig], raw: bytes
) -> None:
    load(tmp_path, model, raw, {})


@FUZZ
@given(raw=hostile_bytes | yaml_docs.map(lambda d: yaml.safe_dump(d).encode()))
def test_cloud_settings_from_any_bytes_load_or_refuse(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_bytes(raw)
    try:
        load_settings(path)
    except CloudSettingsError as exc:
        refused_with_reason(exc)


def test_regression_non_utf8_node_config_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "node.yaml"
    path.write_bytes(b"identity:\n  store: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"node\.yaml: cannot read"):
        load_config(KioskConfig, path)


def test_regression_cloud_settings_non_utf8_or_non_string_keys_are_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cloud.yaml"
    for raw in (b"database_url: \xff\n", b"1: 2\n", b"true: x\n"):
        path.write_bytes(raw)
        with pytest.raises(CloudSettingsError, match=r"cloud\.yaml"):
            load_settings(path)
