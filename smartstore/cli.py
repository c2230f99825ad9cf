"""Root of the ``smartstore`` command; each package owns its sub-commands in its ``cli.py``.

Sub-command modules import heavy libraries inside their commands, so ``--help`` stays fast
and works on a laptop with no GPIO, camera or USB libraries.
"""

from __future__ import annotations

import typer

from smartstore import __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"smartstore {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    from cloud.cli import app as cloud_app
    from cloud.fleet.cli import app as device_app
    from cloud.updates.cli import app as update_app
    from contracts.cli import app as contracts_app
    from kiosk.cli import app as kiosk_app
    from kiosk.cli import scan
    from shelf_sensors.cli import app as shelf_app
    from simulators.cli import app as simulate_app
    from simulators.cli import demo
    from smartstore.broker import broker_command

    app = typer.Typer(
        name="smartstore",
        help="Self-checkout kiosks and smart shelves: edge nodes, cloud, simulators.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help="Print the version."
        ),
        log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING…"),
        log_format: str = typer.Option(
            "text", "--log-format", envvar="SMARTSTORE_LOG_FORMAT", help="text or json lines."
        ),
    ) -> None:
        from smartstore.logs import setup_logging

        setup_logging(log_level, log_format)

    app.command("demo", help="Embedded broker + cloud on SQLite + one simulated store.")(demo)
    app.command(
        "broker", help="Run the development MQTT broker (Mosquitto if installed, else amqtt)."
    )(broker_command)
    app.command("scan", help="Decode barcodes in image files: one JSON line per file.")(scan)
    app.add_typer(cloud_app, name="cloud", help="Cloud API, console, ingest, migrations, seed.")
    app.add_typer(kiosk_app, name="kiosk", help="Self-checkout kiosk node.")
    app.add_typer(shelf_app, name="shelf", help="Smart shelf node, calibration and replay.")
    app.add_typer(simulate_app, name="simulate", help="Simulated devices against a broker.")
    app.add_typer(contracts_app, name="contracts", help="Message contracts and JSON Schemas.")
    app.add_typer(device_app, name="device", help="Node credentials, commands, remote configs.")
    app.add_typer(update_app, name="update", help="Signed node software bundles and rollouts.")
    return app


def main() -> None:
    build_app()()
