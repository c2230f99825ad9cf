"""Node config: YAML + env + overrides, errors naming the field, credentials precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from edge.config import MqttSettings, NodeConfig, env_overrides, load_config
from edge.exceptions import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.yaml"
    path.write_text(text)
    return path


def test_yaml_env_and_overrides_merge_in_that_order(tmp_path: Path) -> None:
    path = write(tmp_path, "identity: {store: demo, node: kiosk-1}\nmqtt: {keepalive: 20}\n")
    env = {"SMARTSTORE_MQTT_URL": "mqtt://u:p@broker:1884", "SMARTSTORE_CFG__OUTBOX__INFLIGHT": "8"}
    cfg = load_config(NodeConfig, path, environ=env, overrides={"mqtt": {"keepalive": 40}})
    assert (cfg.mqtt.host, cfg.mqtt.port, cfg.mqtt.keepalive) == ("broker", 1884, 40)
    assert cfg.outbox.inflight == 8
    assert cfg.mqtt.credentials() == ("u", "p")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("identity: {store: demo, node: kiosk-1}\nmqtt: {keepalive: 1}\n", "mqtt.keepalive"),
        ("identity: {store: Demo, node: kiosk-1}\n", "identity.store"),
        ("identity: {store: demo, node: kiosk-1}\nmqtt: {kepalive: 30}\n", "mqtt.kepalive"),
        ("identity: {store: demo, node: kiosk-1}\nmqtt: {url: 'http://x'}\n", "mqtt"),
        ("identity: {store: demo, node: kiosk-1}\noutbox: {sync: off}\n", "outbox.sync"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        load_config(NodeConfig, write(tmp_path, text), environ={})


@pytest.mark.parametrize("text", ["identity: [unclosed\n", "- a list\n"])
def test_unreadable_files_are_config_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load_config(NodeConfig, write(tmp_path, text), environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(NodeConfig, tmp_path / "missing.yaml", environ={})


def test_password_precedence_and_tls(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    assert MqttSettings(url="mqtt://u:url@h", password_file=secret).credentials() == (
        "u",
        "from-file",
    )
    assert MqttSettings(url="mqtt://u:url@h", password="x", username="v").credentials() == (
        "v",
        "x",
    )
    assert MqttSettings(url="mqtt://h").credentials() == (None, None)
    tls = MqttSettings(url="mqtts://h")
    assert (tls.use_tls, tls.port) == (True, 8883)


def test_every_config_field_is_described() -> None:
    from edge import config

    models = [m for m in vars(config).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    undocumented = [
        f"{m.__name__}.{name}"
        for m in models
        for name, info in m.model_fields.items()
        if not info.description
    ]
    assert undocumented == []


def test_env_only_reads_prefixed_keys() -> None:
    assert env_overrides({"MQTT_URL": "x", "SMARTSTORE_OTHER": "y"}) == {}
