"""``smartstore kiosk …`` and ``smartstore scan``."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


def scan() -> None:
    """Placeholder replaced by the scanner work (issue 4)."""
    raise typer.Exit(2)
