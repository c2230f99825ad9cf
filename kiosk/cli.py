"""``smartstore kiosk …`` and ``smartstore scan``."""

from __future__ import annotations

from pathlib import Path

import typer

from kiosk.scanner.cli import scan  # re-exported: the root CLI registers ``smartstore scan``

__all__ = ["app", "scan"]

app = typer.Typer(no_args_is_help=True)


@app.command("run")
def run(
    config: Path = typer.Option(..., "--config", "-c", help="Kiosk YAML config file."),
    validate_config: bool = typer.Option(
        False, "--validate-config", help="Check the config, print the result and exit."
    ),
) -> None:
    """Run the kiosk node: checkout, devices, touchscreen page, MQTT link."""
    import logging

    from edge.config import load_config
    from edge.exceptions import ConfigError
    from kiosk.config import KioskConfig

    try:
        cfg = load_config(KioskConfig, config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if validate_config:
        typer.echo(f"{config}: ok (kiosk {cfg.identity.store}/{cfg.identity.node})")
        return
    logging.getLogger().setLevel(cfg.log_level)
    from edge.runtime import Runtime
    from kiosk.service import build_node

    node = build_node(cfg, config_path=config)
    Runtime(node.services).run()


@app.command("hash-pin")
def hash_pin(
    pin: str = typer.Option(..., prompt=True, hide_input=True, help="Attendant PIN"),
) -> None:
    """Print the argon2 hash of a PIN for the ``attendants`` section of the config."""
    from argon2 import PasswordHasher

    typer.echo(PasswordHasher().hash(pin))
