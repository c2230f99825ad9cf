"""``smartstore scan IMAGE...`` prints one SPEC JSON line per file."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
import typer
from typer.testing import CliRunner

from kiosk.scanner.cli import scan
from kiosk.scanner.decoders import DecodedSymbol
from kiosk.scanner.testing import Label, random_label, render_frame

app = typer.Typer()
app.command()(scan)


@pytest.fixture
def images(tmp_path: Path) -> tuple[list[Path], list[Label]]:
    rng = random.Random(42)
    ean = random_label(rng, "ean13")
    matrix = Label("gs1_datamatrix", "(01)09506000134352(17)300101(10)L1", "09506000134352")
    paths = []
    for name, label in (("ean.png", ean), ("matrix.png", matrix)):
        path = tmp_path / name
        cv2.imwrite(str(path), render_frame(label, "clean", rng))
        paths.append(path)
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((720, 1280, 3), 200, np.uint8))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    return [*paths, blank, broken], [ean, matrix]


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_scan_prints_one_spec_line_per_file(images: tuple[list[Path], list[Label]]) -> None:
    paths, (ean, _) = images
    result = CliRunner().invoke(app, [str(p) for p in paths])
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [o["file"] for o in out] == [str(p) for p in paths]
    assert out[0]["codes"] == [{"gtin": ean.gtin, "text": ean.content, "symbology": "ean13"}]
    assert out[1]["codes"] == [
        {
            "gtin": "09506000134352",
            "text": "01095060001343521730010110L1",
            "symbology": "gs1_datamatrix",
        }
    ]
    assert out[2] == {"file": str(paths[2]), "codes": []}
    assert out[3]["codes"] == []
    assert out[3]["error"] == "not a readable image"
    assert set(out[0]) == {"file", "codes"}


def test_scan_fails_only_when_no_file_could_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.png"
    result = CliRunner().invoke(app, [str(missing), str(tmp_path)])
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert out[0] == {"file": str(missing), "codes": [], "error": "not found"}
    assert out[1]["error"] == "not a readable image"


def test_smartstore_scan_command(images: tuple[list[Path], list[Label]]) -> None:
    paths, (ean, _) = images
    proc = subprocess.run(
        [sys.executable, "-m", "smartstore", "scan", str(paths[0])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert lines(proc.stdout) == [
        {
            "file": str(paths[0]),
            "codes": [{"gtin": ean.gtin, "text": ean.content, "symbology": "ean13"}],
        }
    ]


def test_a_colour_photo_is_decoded_to_one_channel_and_still_read(
    images: tuple[list[Path], list[Label]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 48 MP colour photo peaked at 440 MB read in colour, 298 MB read grey (the pipeline
    turns every frame grey first, so the colour planes were never used)."""
    import kiosk.scanner.pipeline as pipeline
    from kiosk.scanner.cli import scan_file

    paths, (ean, _) = images
    stored = cv2.imread(str(paths[0]), cv2.IMREAD_UNCHANGED)
    assert stored is not None
    assert stored.ndim == 3
    shapes: list[tuple[int, ...]] = []
    decode = pipeline.decode_frame

    def recording(frame: npt.NDArray[np.uint8], budget_ms: float) -> list[DecodedSymbol]:
        shapes.append(frame.shape)
        return decode(frame, budget_ms=budget_ms)

    monkeypatch.setattr(pipeline, "decode_frame", recording)
    line = scan_file(paths[0])
    assert shapes == [(720, 1280)]
    assert line["codes"] == [{"gtin": ean.gtin, "text": ean.content, "symbology": "ean13"}]
