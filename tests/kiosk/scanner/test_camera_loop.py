"""A camera scan is accepted only when consecutive frames agree (issue 24: never a wrong code)."""

from __future__ import annotations

import random

from edge.hardware.camera import FakeCamera
from kiosk.scanner.camera_loop import CameraLoop
from kiosk.scanner.config import CameraScannerConfig, Gs1Config
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.service import ScannerService
from kiosk.scanner.testing import random_label, render_frame


def loop_at(times: list[float]) -> tuple[CameraLoop, list[ScannedCode]]:
    emitted: list[ScannedCode] = []
    config = CameraScannerConfig(type="camera", source="fake")
    service = ScannerService(
        config, Gs1Config(), on_scan=emitted.append, is_known=lambda g: True, clock=times.pop
    )
    return CameraLoop(service, config, lambda cfg: FakeCamera([])), emitted


def test_one_frame_never_makes_a_scan_two_agreeing_frames_do() -> None:
    rng = random.Random(24)
    label = random_label(rng, "ean13")
    frame = render_frame(label, "clean", rng)
    loop, emitted = loop_at([0.1, 0.0])  # popped from the end: 0.0, then 0.1
    assert loop.process(frame) == []
    assert emitted == []
    assert [c.gtin for c in loop.process(frame)] == [label.gtin]
    assert [c.gtin for c in emitted] == [label.gtin]


def test_two_frames_of_different_codes_make_no_scan() -> None:
    rng = random.Random(25)
    first, second = random_label(rng, "ean13"), random_label(rng, "ean13")
    loop, emitted = loop_at([0.1, 0.0])
    assert loop.process(render_frame(first, "clean", rng)) == []
    assert loop.process(render_frame(second, "clean", rng)) == []
    assert emitted == []
