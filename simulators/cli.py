"""``smartstore simulate store|fleet`` and ``smartstore demo``.

Commands import the simulators inside their bodies so ``smartstore --help`` stays fast.
"""

from __future__ import annotations

import logging
import signal
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

import typer

app = typer.Typer(no_args_is_help=True)


def _quiet_libraries() -> None:
    """The demo prints its own progress; library chatter goes to WARNING unless asked for."""
    root = logging.getLogger()
    if root.level <= logging.INFO:
        root.setLevel(logging.WARNING)
    for name in ("amqtt", "transitions", "uvicorn", "alembic", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def demo(
    data_dir: Path = typer.Option(
        Path(".smartstore/demo"), "--data-dir", help="Where the demo keeps its data."
    ),
    port: int | None = typer.Option(
        None, "--port", help="Port of the API and console (first run: 8000; then remembered)."
    ),
    mqtt_port: int | None = typer.Option(
        None, "--mqtt-port", help="Port of the embedded broker (first run: 1883; remembered)."
    ),
    speed: float | None = typer.Option(None, "--speed", help="Simulated seconds per second (60)."),
    reset: bool = typer.Option(False, "--reset", help="Start over with fresh data."),
    password: str | None = typer.Option(
        None, "--password", help="Password of the demo users (new data directories only)."
    ),
) -> None:
    """Embedded broker, cloud on SQLite and one simulated store; Ctrl-C stops cleanly."""
    from rich.console import Console

    from simulators.demo import Demo, DemoOptions, check_data_dir
    from simulators.exceptions import SimulatorError

    _quiet_libraries()
    console = Console(highlight=False)
    stop = threading.Event()
    _stop_on_signals(stop)
    options = DemoOptions(check_data_dir(data_dir), port, mqtt_port, speed, reset, password)
    running = Demo(options, lambda line: console.print(f"[dim]•[/dim] {line}"))
    code = 0
    try:
        started = time.monotonic()
        with console.status("starting the demo …"):
            running.start()
        console.print(f"[bold green]smartstore demo ready[/] in {time.monotonic() - started:.0f} s")
        for name, url in running.urls().items():
            console.print(f"  {name:<16} {url}")
        console.print(
            f"  logins           admin / manager / staff, password: [bold]{running.password}[/]"
        )
        console.print(f"  data             {options.data_dir.resolve()}   (Ctrl-C stops)")
        console.print(
            f"  ports            console {running.api_port}, broker {running.mqtt_port} "
            "(kept in the data folder's ports.json; change with --port / --mqtt-port)"
        )
        while not stop.wait(10.0):
            console.print(running.progress())
    except SimulatorError as exc:
        console.print(f"[red]demo: {exc}[/]")
        code = 1
    except (RuntimeError, TimeoutError, OSError) as exc:
        console.print(f"[red]demo could not start: {exc}[/]")
        code = 1
    finally:
        running.stop()
        console.print("demo stopped; run it again to continue with the same data")
    if code:
        raise typer.Exit(code)


@app.command("store")
def simulate_store(
    store: str = typer.Option("demo", "--store", help="Store id (the cloud must know it)."),
    mqtt_url: str = typer.Option(
        "mqtt://127.0.0.1:1883", "--mqtt-url", envvar="SMARTSTORE_MQTT_URL", help="Broker URL."
    ),
    protocol: str = typer.Option(
        "auto", "--protocol", help="auto (MQTT 5, else 3.1.1 as amqtt needs), 5 or 3.1.1."
    ),
    speed: float | None = typer.Option(None, "--speed", help="Simulated s per real s."),
    scenario: str | None = typer.Option(
        None, "--scenario", help="Scenario YAML, or a bundled name: day, outage, faults, demo."
    ),
    duration: str | None = typer.Option(
        None, "--duration", help="Stop arrivals after this much simulated time, e.g. 2h."
    ),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Node files (default: temp)."),
    api_url: str | None = typer.Option(
        None, "--api-url", help="Cloud API: staff restock on its alerts (else on lane states)."
    ),
    username: str = typer.Option("staff", "--username", help="Cloud user for the staff."),
    password: str | None = typer.Option(
        None, "--password", envvar="SMARTSTORE_DEMO_PASSWORD", help="Its password."
    ),
) -> None:
    """Run kiosk-1, kiosk-2 and shelf-1 (the real node code) with simulated shoppers."""
    from simulators.cloudapi import CloudApi
    from simulators.exceptions import SimulatorError
    from simulators.scenario import load_scenario, parse_duration
    from simulators.store import StoreSimulation

    stop = threading.Event()
    _stop_on_signals(stop)
    try:
        sc = load_scenario(scenario or "day", speed=speed)
        if duration is not None:
            end = min(sc.start + parse_duration(duration), 86_399.0)
            sc = sc.model_copy(update={"end": end})
    except (SimulatorError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if protocol not in ("auto", "5", "3.1.1"):
        typer.echo("--protocol must be auto, 5 or 3.1.1", err=True)
        raise typer.Exit(2)
    cloud = CloudApi(api_url, username, password or "") if api_url else None
    folder = data_dir or Path(tempfile.mkdtemp(prefix="smartstore-sim-"))
    sim = StoreSimulation(
        sc,
        mqtt_url,
        folder,
        store=store,
        protocol=protocol,  # type: ignore[arg-type]
        cloud=cloud,
    )
    try:
        sim.start()
        typer.echo(
            f"simulating {store} ({sc.name}, {sc.speed:g}×) against {mqtt_url}; Ctrl-C stops"
        )
        while not stop.wait(5.0):
            typer.echo(sim.progress())
            if sc.end is not None and sim.idle():
                typer.echo("the simulated day is over")
                break
    except SimulatorError as exc:
        typer.echo(f"simulate store: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        sim.stop()
        if cloud is not None:
            cloud.close()
    for line in sim.tally.faults:
        typer.echo(f"fault {line}")


@app.command("fleet")
def simulate_fleet(
    stores: int = typer.Option(10, "--stores", min=1, max=2000, help="Simulated stores."),
    mqtt_url: str = typer.Option(
        "mqtt://127.0.0.1:1883", "--mqtt-url", envvar="SMARTSTORE_MQTT_URL", help="Broker URL."
    ),
    rate: float = typer.Option(100.0, "--rate", min=0.1, help="Events per second, all nodes."),
    protocol: str = typer.Option(
        "auto", "--protocol", help="auto (MQTT 5, else 3.1.1 as amqtt needs), 5 or 3.1.1."
    ),
    duration: float | None = typer.Option(None, "--duration", help="Real seconds, else Ctrl-C."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Outboxes (default: temp)."),
    register: bool = typer.Option(
        False, "--register", help="Create the fleet's stores and devices in the cloud first."
    ),
    api_url: str | None = typer.Option(
        None, "--api-url", help="Cloud API for --register, e.g. http://127.0.0.1:8000."
    ),
    username: str = typer.Option("admin", "--username", help="Cloud admin for --register."),
    password: str | None = typer.Option(
        None, "--password", envvar="SMARTSTORE_DEMO_PASSWORD", help="Its password."
    ),
    faults: bool = typer.Option(
        False, "--faults", help="Real stores with faults injected, their own cloud and broker."
    ),
    minutes: float = typer.Option(10.0, "--minutes", min=6, max=600, help="--faults: window."),
    speed: float = typer.Option(0.0, "--speed", min=0, max=120, help="--faults: 0: 40/stores."),
    workers: int = typer.Option(0, "--workers", min=0, help="--faults: processes (0: stores/5)."),
    database_url: str | None = typer.Option(None, "--database-url", help="--faults: its DB."),
    bad_update: bool = typer.Option(True, "--bad-update/--no-bad-update", help="--faults."),
) -> None:
    """Many light nodes (real outbox + link, no devices) with a realistic message mix;
    ``--register`` (with an admin login) creates the stores fleet-001… and their nodes first.
    ``--faults``: real stores with faults instead (simulators/faultfleet.py)."""
    if faults:
        _fault_fleet(stores, minutes, speed, data_dir, database_url, workers, bad_update)
        return
    import httpx

    from simulators.cloudapi import CloudApi
    from simulators.exceptions import SimulatorError
    from simulators.fleet import Fleet

    if protocol not in ("auto", "5", "3.1.1"):
        typer.echo("--protocol must be auto, 5 or 3.1.1", err=True)
        raise typer.Exit(2)
    if register and (api_url is None or password is None):
        typer.echo(
            "--register needs --api-url and --password (or SMARTSTORE_DEMO_PASSWORD)", err=True
        )
        raise typer.Exit(2)
    stop = threading.Event()
    _stop_on_signals(stop)
    folder = data_dir or Path(tempfile.mkdtemp(prefix="smartstore-fleet-"))
    fleet = Fleet(stores, mqtt_url, folder, rate=rate, protocol=protocol)  # type: ignore[arg-type]
    if register and api_url is not None:
        api = CloudApi(api_url, username, password or "")
        try:
            made_stores, made_devices = fleet.register(api)
        except (SimulatorError, httpx.HTTPError) as exc:
            typer.echo(f"simulate fleet: registration failed: {exc}", err=True)
            raise typer.Exit(1) from exc
        finally:
            api.close()
        typer.echo(f"registered {made_stores} new store(s), {made_devices} new device(s)")
    started = time.monotonic()
    fleet.start()
    typer.echo(f"fleet: {len(fleet.nodes)} nodes in {stores} stores, {rate:g} events/s")
    try:
        while not stop.wait(5.0):
            elapsed = time.monotonic() - started
            typer.echo(
                f"{elapsed:6.0f} s  connected {fleet.connected()}/{len(fleet.nodes)}  emitted "
                f"{fleet.emitted}  published {fleet.published()}  backlog {fleet.depth()}"
            )
            if duration is not None and elapsed >= duration:
                break
    finally:
        fleet.stop()
    mix = ", ".join(f"{kind} {n}" for kind, n in sorted(fleet.mix.items()))
    typer.echo(f"emitted {fleet.emitted} ({mix}); published {fleet.published()}")


def _fault_fleet(
    stores: int,
    minutes: float,
    speed: float,
    data_dir: Path | None,
    database_url: str | None,
    workers: int,
    bad_update: bool = True,
) -> None:
    """N real stores (kiosk-1, kiosk-2, shelf-1 each), two faults each and a broker restart,
    and a bad update on one more node of the first store (``--no-bad-update``: without),
    against a cloud and broker of their own; prints each fault with how the cloud saw it and
    exits 1 unless every sale is in the cloud once (or held as a dead letter with its reason)
    and every fault was detected and cleared."""
    import logging

    from simulators.faultfleet import FaultFleet

    logging.getLogger("httpx").setLevel(logging.WARNING)  # staff poll alerts: a line a poll
    folder = data_dir or Path(tempfile.mkdtemp(prefix="smartstore-faults-"))
    # --speed 0: 10x up to 4 stores, 40/stores x above (~2.7 checkouts a second in all)
    speed = speed or min(10.0, max(1.0, 40.0 / stores))
    typer.echo(f"fault fleet: {stores} stores x {minutes:g} min at {speed:g}x in {folder}")
    fleet = FaultFleet(
        stores,
        minutes,
        folder,
        database_url=database_url,
        speed=speed,
        workers=workers,
        bad_update=bad_update,
        progress=typer.echo,
    )
    result = fleet.run()
    for line in result.lines():
        typer.echo(line)
    if not result.ok:
        raise typer.Exit(1)
