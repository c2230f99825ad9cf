"""Camera scanning end to end: rendered frames → MJPG video → OpenCV camera → pipeline → scans."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest

from edge.hardware.camera import CameraError, FakeCamera, Frame
from kiosk.scanner.config import CameraScannerConfig, Gs1Config
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.service import ScannerService
from kiosk.scanner.testing import Label, background, random_label, render_frame, write_video
from tests.kiosk.scanner.conftest import wait_for

FPS = 15.0


def item_frames(label: Label, rng: random.Random, count: int) -> list[Frame]:
    scene = background(rng)
    return [
        render_frame(label, "clean", rng, scene=scene, centre=(640 + 4 * i, 360.0))
        for i in range(count)
    ]


class Recorder:
    def __init__(self) -> None:
        self.codes: list[ScannedCode] = []
        self.lock = threading.Lock()

    def __call__(self, code: ScannedCode) -> None:
        with self.lock:
            self.codes.append(code)


@pytest.fixture
def shelf_video(tmp_path: Path) -> tuple[Path, list[Label], Label, str]:
    """Video: A, gap, B, gap, unknown C, gap, a payment-code QR, gap, A again."""
    rng = random.Random(2024)
    a, b, unknown = (random_label(rng, "ean13") for _ in range(3))
    payment = "134567890123456789"
    blank = [background(rng)] * 6
    frames = (
        item_frames(a, rng, 10)
        + blank
        + item_frames(b, rng, 10)
        + blank
        + item_frames(unknown, rng, 10)
        + blank
        + item_frames(Label("gs1_digital_link", payment, ""), rng, 8)
        + blank
        + item_frames(a, rng, 10)
    )
    path = tmp_path / "checkout.avi"
    write_video(str(path), frames, fps=FPS)
    return path, [a, b], unknown, payment


def test_video_scans_known_items_once_each_and_routes_payment_codes(
    shelf_video: tuple[Path, list[Label], Label, str],
) -> None:
    path, (a, b), unknown, payment = shelf_video
    price_book = {a.gtin, b.gtin}
    seen = Recorder()
    config = CameraScannerConfig(type="camera", source=str(path), debounce_s=1.5)
    service = ScannerService(config, Gs1Config(), on_scan=seen, is_known=price_book.__contains__)
    service.start()
    try:
        assert service.join(timeout=60), "the video did not finish"
    finally:
        service.stop()
    products = [c.gtin for c in seen.codes if c.gtin is not None]
    assert products == [a.gtin, b.gtin, a.gtin]  # A again after it left the view
    assert unknown.gtin not in products
    assert [c.payment_code for c in seen.codes if c.payment_code] == [payment]
    assert service.stats.unknown >= 2  # C was read but the price book does not know it
    assert service.stats.frames_decoded > 20


def test_item_held_in_view_is_debounced() -> None:
    rng = random.Random(5)
    item = random_label(rng, "ean13")
    frames = item_frames(item, rng, 12)
    seen = Recorder()
    config = CameraScannerConfig(type="camera", source="fake", debounce_s=30.0)
    camera = FakeCamera(frames, fps=FPS)
    service = ScannerService(
        config,
        Gs1Config(),
        on_scan=seen,
        is_known=lambda g: True,
        camera_factory=lambda cfg: camera,
    )
    service.start()
    try:
        # the fake device runs dry after 12 frames (0.8 s, all in view): one scan only
        assert wait_for(lambda: camera.reads > len(frames), timeout=30)
    finally:
        service.stop()
    assert [c.gtin for c in seen.codes] == [item.gtin]


def test_camera_that_fails_to_open_is_retried_without_crashing() -> None:
    attempts: list[int] = []
    rng = random.Random(9)
    item = random_label(rng, "ean13")
    frames = item_frames(item, rng, 6)

    def factory(cfg: CameraScannerConfig) -> FakeCamera:
        attempts.append(1)
        if len(attempts) < 2:
            raise CameraError("no /dev/video0")
        return FakeCamera(frames, fps=FPS)

    seen = Recorder()
    service = ScannerService(
        CameraScannerConfig(type="camera", source=0),
        Gs1Config(),
        on_scan=seen,
        is_known=lambda g: True,
        camera_factory=factory,
    )
    service.start()
    try:
        assert wait_for(lambda: bool(seen.codes), timeout=30)
    finally:
        service.stop()
    assert len(attempts) >= 2
    assert seen.codes[0].gtin == item.gtin


def test_garbage_frames_and_a_raising_callback_do_not_stop_the_scanner() -> None:
    rng = random.Random(3)
    item = random_label(rng, "ean13")
    junk: list[Frame] = [
        np.zeros((2, 2, 3), np.uint8),
        np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8),
    ]
    frames = junk + item_frames(item, rng, 6)
    calls: list[ScannedCode] = []

    def explode(code: ScannedCode) -> None:
        calls.append(code)
        raise RuntimeError("kiosk bug")

    camera = FakeCamera(frames, fps=FPS)
    service = ScannerService(
        CameraScannerConfig(type="camera", source="fake"),
        Gs1Config(),
        on_scan=explode,
        is_known=lambda g: True,
        camera_factory=lambda cfg: camera,
    )
    service.start()
    try:
        assert wait_for(lambda: bool(calls), timeout=30)
    finally:
        service.stop()
    assert service.stats.callback_errors >= 1
    assert calls[0].gtin == item.gtin
