"""``smartstore scan IMAGE...``: decode barcodes in image files, one JSON line per file.

Line: ``{"file": str, "codes": [{"gtin": str|null, "text": str, "symbology": str}]}``; a file
that cannot be read gives ``"codes": []`` and an ``"error"`` field. Exit status: 0 when at
least one file was read (whether or not it held a code), 1 when none could be read — so a
batch with one bad file still succeeds, and a wholly wrong invocation does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

CLI_BUDGET_MS = 250.0
"""Offline decoding can afford every fallback stage; a live camera gets far less."""


def scan_file(path: Path) -> dict[str, Any]:
    """The JSON object for one image file (never raises on a bad file)."""
    import cv2
    import numpy as np

    from kiosk.scanner.config import Gs1Config
    from kiosk.scanner.gs1 import interpret
    from kiosk.scanner.pipeline import decode_frame

    line: dict[str, Any] = {"file": str(path), "codes": []}
    frame = None
    if path.is_file():
        try:
            # grey is all the pipeline reads: one plane, not three (a 48 MP photo 440 -> 298 MB)
            frame = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        except cv2.error:
            frame = None
    if frame is None:
        line["error"] = "not found" if not path.exists() else "not a readable image"
        return line
    gs1 = Gs1Config()
    for symbol in decode_frame(np.asarray(frame, dtype=np.uint8), budget_ms=CLI_BUDGET_MS):
        code = interpret(symbol.text, symbol.symbology, gs1)
        line["codes"].append({"gtin": code.gtin, "text": symbol.text, "symbology": code.symbology})
    return line


def scan(
    images: list[Path] = typer.Argument(..., help="Image files (PNG, JPEG…) to decode."),
) -> None:
    """Decode barcodes in image files: one JSON line per file."""
    read_any = False
    for path in images:
        line = scan_file(path)
        read_any = read_any or "error" not in line
        typer.echo(json.dumps(line, ensure_ascii=False))
    if not read_any:
        raise typer.Exit(1)
