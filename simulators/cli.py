"""``smartstore simulate …`` and ``smartstore demo``."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


def demo() -> None:
    """Placeholder replaced by the demo work (issue 8)."""
    raise typer.Exit(2)
