"""Scanner config: discriminated by ``type``, unknown keys refused, every field described."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from kiosk.scanner.config import (
    CameraScannerConfig,
    Gs1Config,
    NoScannerConfig,
    Roi,
    ScannerConfig,
    SerialScannerConfig,
)

ADAPTER: TypeAdapter[ScannerConfig] = TypeAdapter(ScannerConfig)


def test_discriminator_picks_the_model() -> None:
    camera = ADAPTER.validate_python({"type": "camera", "source": "rtsp://cam/1"})
    assert isinstance(camera, CameraScannerConfig)
    assert camera.confirm_frames == 2
    assert camera.debounce_s is None
    assert camera.decoders == ["zxing", "pyzbar"]
    serial = ADAPTER.validate_python({"type": "serial", "port": "loop://", "suffix": "\r\n"})
    assert isinstance(serial, SerialScannerConfig)
    assert serial.baudrate == 9600
    assert isinstance(ADAPTER.validate_python({"type": "none"}), NoScannerConfig)


@pytest.mark.parametrize(
    "data",
    [
        {"type": "camera", "sauce": 0},
        {"type": "laser"},
        {"type": "serial"},
        {"type": "serial", "port": "loop://", "suffix": "\t"},
        {"type": "camera", "decoders": ["zbar"]},
        {"type": "camera", "decoders": []},
        {"type": "camera", "roi": {"x": 0.5, "y": 0, "w": 0.6, "h": 1}},
    ],
)
def test_bad_configs_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(data)


def test_gs1_region_is_checked() -> None:
    assert Gs1Config(rcn_region="odoo").rcn_region == "odoo"
    with pytest.raises(ValidationError):
        Gs1Config(rcn_region="xx")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "model",
    [CameraScannerConfig, SerialScannerConfig, NoScannerConfig, Gs1Config, Roi],
)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    missing = [name for name, field in model.model_fields.items() if not field.description]
    assert missing == []
