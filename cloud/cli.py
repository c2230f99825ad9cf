"""``smartstore cloud …``: migrate, ingest, seed and dead letters here; serve and users beside.

Commands import their modules inside the function, so ``smartstore --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from cloud.pricebook.mqtt_sink import MqttRetainedSink
    from cloud.pricebook.publisher import PriceBookPublisher
    from cloud.settings import CloudSettings

app = typer.Typer(no_args_is_help=True)
deadletters_app = typer.Typer(no_args_is_help=True, help="List and replay dead letters.")
app.add_typer(deadletters_app, name="deadletters")

ConfigOpt = typer.Option(None, "--config", "-c", help="Cloud settings YAML file.")
DbOpt = typer.Option(None, "--database-url", help="Overrides SMARTSTORE_DATABASE_URL.")


def _settings(config: Path | None, **overrides: object) -> object:
    from cloud.settings import CloudSettingsError, load_settings

    try:
        return load_settings(config, **overrides)
    except CloudSettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command("receipt-key")
def receipt_key_command(
    store: str = typer.Argument(..., help="Store code, as in the kiosk's identity.store."),
    config: Path | None = ConfigOpt,
) -> None:
    """Print STORE's e-receipt key (hex) for its kiosks' ``receipts.key``; derived from
    secret_key, so rotating that key re-keys every store."""
    from cloud.settings import CloudSettings
    from contracts.receipts import store_key

    settings = _settings(config)
    assert isinstance(settings, CloudSettings)
    typer.echo(store_key(settings.secret_key.get_secret_value().encode(), store).hex())


@app.command("migrate")
def migrate_command(
    revision: str = typer.Option("head", "--revision", help="head, a revision, base or -1."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Apply database migrations (upgrade to head by default; base or -N go down)."""
    from cloud.db.migrate import migrate
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    migrate(settings.database_url, revision)
    typer.echo(f"database at {revision}")


@app.command("ingest")
def ingest_command(
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
    mqtt_url: str | None = typer.Option(None, "--mqtt-url", help="mqtt://user:pass@host:port"),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="Serve this worker's Prometheus /metrics on the port."
    ),
) -> None:
    """Run one ingest worker (several may run: they share the subscription)."""
    import signal
    import threading

    from cloud.ingest.runner import run
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url, mqtt_url=mqtt_url)
    assert isinstance(settings, CloudSettings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if metrics_port is not None:
        from cloud.metrics import run_with_metrics

        run_with_metrics(settings, stop, metrics_port)
        return
    run(settings, stop)


@app.command("seed")
def seed_command(
    password: str | None = typer.Option(None, "--password", help="Password of the demo users."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Demo data: stores, devices, users, a catalog of 600 products, members, promotions."""
    from cloud.seed.service import seed_database
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    report = seed_database(settings.database_url, password=password)
    typer.echo(report.summary())
    if report.generated_password:
        typer.echo(f"password for admin, manager, staff: {report.generated_password}")


@deadletters_app.command("list")
def deadletters_list(
    status: str | None = typer.Option(None, "--status", help="new, failed, replayed…"),
    limit: int = typer.Option(50, "--limit"),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """One line per dead letter: id, status, received, topic, reason."""
    from cloud.db.session import make_engine, make_sessionmaker
    from cloud.ingest import service
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            for d in service.list_dead_letters(session, status=status, limit=limit):
                typer.echo(
                    f"{d.id}\t{d.status}\t{d.received_at:%Y-%m-%dT%H:%M:%SZ}\t{d.topic}\t{d.reason}"
                )
    finally:
        engine.dispose()


@deadletters_app.command("replay")
def deadletters_replay(
    dead_letter_id: int = typer.Argument(..., help="Dead letter id (see list)."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Validate and apply a dead letter again (after registering the device, say)."""
    from datetime import UTC, datetime

    from cloud.db.session import make_engine, make_sessionmaker, transaction
    from cloud.exceptions import CloudError
    from cloud.ingest import service
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            result = service.replay_dead_letter(session, dead_letter_id, datetime.now(UTC))
    except CloudError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(
        f"dead letter {dead_letter_id}: {'ok' if result.ok else 'rejected'}: {result.reason}"
    )
    if not result.ok:
        raise typer.Exit(1)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
    publish: bool = typer.Option(
        True, "--publish/--no-publish", help="Publish price books to the broker on changes."
    ),
    ssl_certfile: Path | None = typer.Option(
        None, "--ssl-certfile", help="Serve HTTPS with this certificate (PEM, chain first)."
    ),
    ssl_keyfile: Path | None = typer.Option(
        None, "--ssl-keyfile", help="Private key of --ssl-certfile (PEM)."
    ),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="Serve Prometheus /metrics on this port (no token)."
    ),
    metrics_host: str = typer.Option(
        "127.0.0.1", "--metrics-host", help="Interface of --metrics-port (keep it private)."
    ),
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /docs) with uvicorn, over HTTPS if given a
    certificate (docs/operations/tls.md). Refuses a default or short secret_key unless the
    settings say demo mode."""
    import uvicorn

    from cloud.db.session import make_engine
    from cloud.main import create_app

    if (ssl_certfile is None) != (ssl_keyfile is None):
        typer.echo("--ssl-certfile and --ssl-keyfile go together", err=True)
        raise typer.Exit(2)
    settings = _serve_settings(config, database_url)
    engine = make_engine(settings.database_url)
    publisher, sink = _publisher(settings, engine) if publish else (None, None)
    app_ = create_app(settings, engine=engine, publisher=publisher)
    metrics_server = None
    if metrics_port is not None:
        from cloud.metrics import serve_api_metrics

        metrics_server, _ = serve_api_metrics(engine, metrics_port, metrics_host)
    try:
        uvicorn.run(
            app_,
            host=host,
            port=port,
            log_level="info",
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
            # Forwarded headers only from settings.trusted_proxies (create_app), never by default.
            proxy_headers=False,
        )
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        if sink is not None:
            sink.close()
        engine.dispose()


def _serve_settings(config: Path | None, database_url: str | None) -> CloudSettings:
    """The settings to serve with; exits 2 on a weak secret key outside demo mode."""
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    weak = settings.weak_secret_key()
    if weak is not None and not settings.demo:
        typer.echo(
            f"refusing to serve: {weak}. Set a random key of 32+ characters, e.g. "
            "SMARTSTORE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            " (or demo: true for a throw-away demo)",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def _publisher(
    settings: CloudSettings, engine: Engine
) -> tuple[PriceBookPublisher | None, MqttRetainedSink | None]:
    """The price-book publisher and its broker sink; none (with a warning) when the broker is
    unreachable, so the API still serves."""
    import logging

    from cloud.db.session import make_sessionmaker
    from cloud.pricebook.mqtt_sink import MqttRetainedSink
    from cloud.pricebook.publisher import PriceBookPublisher

    sink = None
    try:
        sink = MqttRetainedSink.connect(settings)
        return PriceBookPublisher(make_sessionmaker(engine), sink), sink
    except (OSError, ValueError) as exc:
        logging.getLogger(__name__).warning(
            "broker %s unreachable (%s): price books will not be published",
            settings.mqtt_url,
            exc,
        )
        return None, sink


@app.command("create-user")
def create_user_command(
    username: str = typer.Argument(..., help="Case-sensitive login name."),
    role: str = typer.Option(..., "--role", help="admin, hq, manager, staff or cashier."),
    store: list[str] = typer.Option([], "--store", help="Store code (repeat for several)."),
    password: str | None = typer.Option(None, "--password", help="Else generated and printed."),
    email: str = typer.Option("", "--email", help="For password reset mails."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Create a user (run `cloud migrate` first)."""
    import secrets
    from datetime import UTC, datetime

    from cloud.auth.models import Role
    from cloud.auth.service import create_user, make_hasher
    from cloud.db.session import make_engine, make_sessionmaker, transaction
    from cloud.exceptions import CloudError
    from cloud.settings import CloudSettings

    try:
        role_ = Role(role)
    except ValueError as exc:
        typer.echo(f"--role must be one of {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(2) from exc
    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    generated = password is None
    secret = password if password is not None else secrets.token_urlsafe(12)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            create_user(
                session,
                username=username,
                password=secret,
                role=role_,
                store_codes=store,
                email=email,
                now=datetime.now(UTC),
                hasher=make_hasher(),
            )
    except CloudError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(f"user {username} ({role_.value}) created")
    if generated:
        typer.echo(f"password: {secret}")


@app.command("backup")
def backup_command(
    out: Path = typer.Argument(..., help="Backup file: a SQLite copy or a pg_dump archive."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Back up the database while the cloud runs (SQLite online backup, or pg_dump)."""
    from cloud.backup import BackupError, backup, by_tenths
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    try:
        result = backup(settings.database_url, out, by_tenths("backup", _err))
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"backup written to {result.path} ({result.kind}, {result.size} bytes)")


@app.command("restore")
def restore_command(
    src: Path = typer.Argument(..., help="A file written by `cloud backup`."),
    force: bool = typer.Option(False, "--force", help="Overwrite a non-empty database."),
    config: Path | None = ConfigOpt,
    database_url: str | None = DbOpt,
) -> None:
    """Restore a backup into a fresh database (SQLite file or pg_restore)."""
    from cloud.backup import BackupError, by_tenths, restore
    from cloud.settings import CloudSettings

    settings = _settings(config, database_url=database_url)
    assert isinstance(settings, CloudSettings)
    try:
        restore(settings.database_url, src, by_tenths("restore", _err), force=force)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"restored {src} into the database")


def _err(line: str) -> None:
    typer.echo(line, err=True)
