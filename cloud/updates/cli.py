"""``smartstore update …``: keygen, build, publish, rollout, pause/resume/abort/rollback, drive.

Imports happen inside commands so ``smartstore --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.settings import CloudSettings

app = typer.Typer(no_args_is_help=True, help="Signed node software bundles and rollouts.")

ConfigOpt = typer.Option(None, "--config", "-c", help="Cloud settings YAML file.")
DbOpt = typer.Option(None, "--database-url", help="Overrides SMARTSTORE_DATABASE_URL.")
ByOpt = typer.Option("cli", "--by", help="Who did it (kept on the release/rollout).")


def _settings(config: Path | None, database_url: str | None) -> CloudSettings:
    from cloud.settings import CloudSettingsError, load_settings

    overrides = {"database_url": database_url} if database_url else {}
    try:
        return load_settings(config, **overrides)
    except CloudSettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@contextmanager
def _session(settings: CloudSettings) -> Iterator[Session]:
    from cloud.db.session import make_engine, make_sessionmaker, transaction
    from cloud.exceptions import CloudError

    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    except CloudError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@app.command("keygen")
def keygen(directory: Path = typer.Option(..., "--dir", help="Where signing.key goes.")) -> None:
    """Make the fleet's Ed25519 signing key; keep it off the cloud server."""
    from cloud.updates.build import generate_key
    from cloud.updates.exceptions import UpdateError

    try:
        path, public = generate_key(directory)
    except UpdateError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"signing key: {path}\npublic key:  {public}")


@app.command("build")
def build(
    version: str = typer.Option(..., "--version", help="Dotted numbers, e.g. 1.4.2."),
    key: Path = typer.Option(..., "--key", help="signing.key from `update keygen`."),
    out: Path = typer.Option(..., "--out", help="Bundle file to write (.tar)."),
    source: Path = typer.Option(Path("."), "--source", help="Repository root."),
    wheelhouse: Path | None = typer.Option(
        None, "--wheelhouse", help="Pinned wheels for the node's platform (pip download -d)."
    ),
    kinds: list[str] = typer.Option(["kiosk", "shelf"], "--kind", help="Node kinds."),
    min_version: str | None = typer.Option(None, "--min-version", help="Oldest it replaces."),
    python: str = typer.Option("cp311", "--python", help="Python tag of the wheels."),
    platform: str = typer.Option("any", "--platform", help="Platform tag of the wheels."),
) -> None:
    """Build and sign a bundle: node code + wheels + manifest (per-file SHA-256)."""
    from pydantic import ValidationError

    from cloud.updates.build import build_bundle, load_signing_key
    from cloud.updates.exceptions import UpdateError

    try:
        manifest = build_bundle(
            version=version,
            source=source,
            wheelhouse=wheelhouse,
            key=load_signing_key(key),
            out=out,
            node_kinds=kinds,
            min_version=min_version,
            python=python,
            platform=platform,
        )
    except (UpdateError, ValidationError, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"{out}: {manifest.version}, {len(manifest.files)} files, {len(manifest.wheels)} wheels"
    )


@app.command("publish")
def publish(
    bundle: Path = typer.Argument(..., help="A bundle from `update build`."),
    by: str = ByOpt,
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Check the bundle's signature, store it under updates_dir and record the release."""
    from cloud.updates import service
    from cloud.updates.bundles import BundleStore
    from cloud.updates.exceptions import UpdateError

    settings = _settings(config, database_url)
    try:
        manifest, sha256, size = BundleStore(settings.updates_dir).add(bundle)
    except (UpdateError, OSError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    with _session(settings) as session:
        service.publish_release(
            session, manifest, sha256=sha256, size=size, by=by, now=datetime.now(UTC)
        )
    typer.echo(f"published {manifest.version} ({size} bytes, sha256 {sha256[:12]}…)")


@app.command("ring")
def ring(
    store: str = typer.Option(..., "--store"),
    node: str = typer.Option(..., "--node"),
    name: str = typer.Argument(..., help="canary, store or all."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Put a node in a rollout ring (canary ⊂ store ⊂ all)."""
    from cloud.updates import service

    with _session(_settings(config, database_url)) as session:
        service.set_ring(session, store, node, name)
    typer.echo(f"{store}/{node}: {name}")


@app.command("rollout")
def rollout(
    version: str = typer.Option(..., "--version"),
    ring_name: str = typer.Option("canary", "--ring", help="canary, store or all."),
    percent: int = typer.Option(100, "--percent", min=1, max=100),
    threshold: int = typer.Option(20, "--halt-above", min=0, max=100, help="Failure %."),
    by: str = ByOpt,
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Start a rollout, or widen the running one (the driver sends the orders)."""
    from cloud.updates import service

    with _session(_settings(config, database_url)) as session:
        r = service.start_rollout(
            session,
            version,
            ring=ring_name,
            percent=percent,
            threshold=threshold,
            by=by,
            now=datetime.now(UTC),
        )
        typer.echo(f"rollout {r.id}: {version} to {r.ring} at {r.percent}%")


def _action(name: str) -> Callable[..., None]:
    def command(
        rollout_id: int = typer.Argument(..., help="Rollout id (see `update status`)."),
        by: str = ByOpt,
        config: Path | None = ConfigOpt,
        database_url: str | None = DbOpt,
    ) -> None:
        from cloud.updates import service

        now = datetime.now(UTC)
        with _session(_settings(config, database_url)) as session:
            if name == "rollback":
                r = service.roll_back(session, rollout_id, by=by, now=now)
                typer.echo(f"rollout {rollout_id} aborted; rollout {r.id} sends nodes back")
            else:
                r = service.change_rollout(session, rollout_id, name, now)
                typer.echo(f"rollout {r.id}: {r.status}")

    command.__doc__ = f"{name.capitalize()} a rollout."
    return command


for _name in ("pause", "resume", "abort", "rollback"):
    app.command(_name)(_action(_name))


@app.command("status")
def status(config: Path | None = ConfigOpt, database_url: str | None = DbOpt) -> None:
    """One JSON line per recent rollout: version, ring, status, counts, failures."""
    from cloud.updates import service

    with _session(_settings(config, database_url)) as session:
        for r in service.list_rollouts(session):
            p = service.progress(session, r)
            line: dict[str, Any] = {
                "id": r.id,
                "version": service.release_version(session, r),
                "ring": r.ring,
                "percent": r.percent,
                "status": r.status,
                "halt_reason": r.halt_reason,
                "statuses": p["statuses"],
                "failures": p["failures"],
            }
            typer.echo(json.dumps(line))


@app.command("drive")
def drive(
    every: float = typer.Option(5.0, "--every", help="Seconds between sends."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
    mqtt_url: str | None = typer.Option(None, "--mqtt-url", help="mqtt://user:pass@host:port"),
) -> None:
    """Send due update orders until stopped (run one, beside the API)."""
    import signal
    import threading

    from cloud.db.session import make_engine, make_sessionmaker
    from cloud.fleet.commands import CommandDispatcher
    from cloud.updates.driver import RolloutDriver

    settings = _settings(config, database_url)
    if mqtt_url:
        settings = settings.model_copy(update={"mqtt_url": mqtt_url})
    engine = make_engine(settings.database_url)
    dispatcher, address = CommandDispatcher.from_settings(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    dispatcher.start(address.host, address.port)
    driver = RolloutDriver(
        make_sessionmaker(engine), dispatcher, settings.public_url, every_s=every
    )
    driver.start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        driver.stop()
        dispatcher.stop()
        engine.dispose()
