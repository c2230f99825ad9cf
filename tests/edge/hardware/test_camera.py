"""Camera backends: OpenCV on a real video file, and the frame-list fake."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.hardware.camera import CameraError, FakeCamera, OpenCvCamera, is_file_source


def numbered_frames(count: int) -> list[np.ndarray]:  # type: ignore[type-arg]
    """Frames whose brightness encodes their index, so order survives MJPG compression."""
    return [np.full((120, 160, 3), 20 + 40 * i, np.uint8) for i in range(count)]


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (160, 120))
    for frame in numbered_frames(5):
        writer.write(frame)
    writer.release()
    return path


def brightness(frame: np.ndarray) -> int:  # type: ignore[type-arg]
    return round((float(frame.mean()) - 20) / 40)


def test_video_file_reads_every_frame_then_none(video: Path) -> None:
    camera = OpenCvCamera(str(video), realtime=False)
    frames = [camera.read() for _ in range(5)]
    assert [brightness(f) for f in frames if f is not None] == [0, 1, 2, 3, 4]
    assert frames[0] is not None
    assert frames[0].shape == (120, 160, 3)
    assert frames[0].dtype == np.uint8
    assert camera.read() is None
    camera.close()
    camera.close()  # idempotent
    assert camera.read() is None


def test_looped_video_rewinds(video: Path) -> None:
    camera = OpenCvCamera(str(video), loop=True, realtime=False)
    seen = [camera.read() for _ in range(12)]
    camera.close()
    assert [brightness(f) for f in seen if f is not None] == [0, 1, 2, 3, 4] * 2 + [0, 1]


def test_realtime_paces_at_the_file_frame_rate(video: Path) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    camera = OpenCvCamera(str(video), realtime=True, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        assert camera.read() is not None
    camera.close()
    assert sleeps == pytest.approx([1 / 30] * 3, rel=1e-3)


def test_missing_source_raises_camera_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError):
        OpenCvCamera(str(tmp_path / "nope.avi"))
    not_video = tmp_path / "text.avi"
    not_video.write_text("not a video")
    with pytest.raises(CameraError):
        OpenCvCamera(str(not_video))


def test_is_file_source(video: Path) -> None:
    assert is_file_source(str(video))
    assert not is_file_source(0)
    assert not is_file_source("rtsp://cam/stream")
    assert not is_file_source("/no/such/file.avi")


def test_fake_camera_plays_loops_and_unplugs() -> None:
    frames = numbered_frames(3)
    once = FakeCamera(frames)
    assert [once.read() is f for f in frames] == [True, True, True]
    assert once.read() is None
    looped = FakeCamera(frames, loop=True, fail_after=4)
    got = [looped.read() for _ in range(6)]
    assert [g is not None for g in got] == [True, True, True, True, False, False]
    assert got[3] is frames[0]
    closed = FakeCamera(frames)
    closed.close()
    assert closed.read() is None


def test_fake_camera_paces_frames() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    camera = FakeCamera(numbered_frames(3), fps=10, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        camera.read()
    assert sleeps == pytest.approx([0.1, 0.1])
