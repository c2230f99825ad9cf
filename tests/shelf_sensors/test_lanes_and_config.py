from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import load_config
from edge.exceptions import ConfigError
from shelf_sensors.config import ShelfConfig
from shelf_sensors.exceptions import LaneConfigError
from shelf_sensors.lanes import LaneSpec, load_lanes_file, resolve

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "shelf.example.yaml"


def test_example_config_is_valid() -> None:
    cfg = load_config(ShelfConfig, EXAMPLE)
    assert cfg.loadcell.type == "fake"
    assert len(cfg.lanes) == 4


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        ("lanes: [{lane: a1, sku: x}]\nloadcell: {type: fake}\nbogus: 1", "bogus"),
        ("lanes: [{lane: a1, sku: x}]\nloadcell: {type: usb}", "loadcell"),
        ("lanes: [{lane: a1, sku: x}, {lane: a1, sku: y}]\nloadcell: {type: fake}", "duplicate"),
        ("lanes: [{lane: a1, sku: x}]\nloadcell: {type: hx711, pins: {}}", "pins"),
        ("lanes: [{lane: a1, sku: x, capacity: -1}]\nloadcell: {type: fake}", "capacity"),
        ("lanes: []\nloadcell: {type: fake}", "lanes"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, yaml_text: str, field: str) -> None:
    path = tmp_path / "shelf.yaml"
    path.write_text("identity: {store: demo, node: shelf-1}\n" + yaml_text)
    with pytest.raises(ConfigError, match=field):
        load_config(ShelfConfig, path)


def test_lanes_file_errors_name_the_lane(tmp_path: Path) -> None:
    path = tmp_path / "lanes.yaml"
    path.write_text(
        "a1: {sku: x, unit_weight_g: 10, capacity: 5, low_stock_at: 1}\n"
        "b2: {sku: y, unit_weight_g: -3, capacity: 5, low_stock_at: 1}\n"
    )
    with pytest.raises(LaneConfigError, match="lane b2: unit_weight_g"):
        load_lanes_file(path)
    path.write_text("- just a list")
    with pytest.raises(LaneConfigError, match="mapping"):
        load_lanes_file(path)


def test_resolve_without_weight_is_an_error_unless_lenient() -> None:
    specs = [LaneSpec(lane="a1", sku="x")]
    with pytest.raises(LaneConfigError, match="no unit weight"):
        resolve(specs, None)
    assert resolve(specs, None, strict=False) == {}
