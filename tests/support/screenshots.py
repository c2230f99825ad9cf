"""Where browser tests write their screenshots.

A test run leaves the tree clean: screenshots go to ``build/screenshots`` unless
``SMARTSTORE_SCREENSHOTS`` names another folder. ``scripts/screenshots.sh`` sets it to
``docs/screenshots`` to refresh the docs' pictures on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    """The folder for screenshots; a relative setting is taken from the repo root."""
    folder = Path(os.environ.get("SMARTSTORE_SCREENSHOTS") or ROOT / "build" / "screenshots")
    return folder if folder.is_absolute() else ROOT / folder


SHOTS = screenshot_dir()
