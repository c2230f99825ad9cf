"""``smartstore device …``: provision/revoke node credentials, send commands, push configs.

Imports happen inside commands so ``smartstore --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True, help="Node credentials, commands and remote configs.")

FleetConfigOpt = typer.Option(None, "--fleet-config", help="FleetSettings YAML file.")
FleetDirOpt = typer.Option(None, "--fleet-dir", help="Registry, passwd and acl directory.")
StoreOpt = typer.Option(..., "--store", help="Store id, e.g. demo.")
NodeOpt = typer.Option(..., "--node", help="Node id, e.g. kiosk-1.")
PidOpt = typer.Option(None, "--broker-pid-file", help="SIGHUP this broker after changes.")
ControlOpt = typer.Option(
    None,
    "--broker-control",
    help="host:port of the nodes' listener: apply node changes to the running broker.",
)


def _fleet(
    config: Path | None,
    fleet_dir: Path | None,
    pid_file: Path | None,
    control: str | None = None,
) -> Any:
    import yaml
    from pydantic import ValidationError

    from cloud.fleet.service import Fleet
    from cloud.settings.fleet import FleetSettings

    data: dict[str, Any] = {}
    if config is not None:
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            typer.echo(f"{config}: {exc}", err=True)
            raise typer.Exit(2) from exc
    if fleet_dir is not None:
        data["dir"] = str(fleet_dir)
    if pid_file is not None:
        data["reload"] = {"type": "signal", "pid_file": str(pid_file)}
    if control is not None:
        host, sep, port = control.rpartition(":")
        where = {"host": host, "port": port} if sep else {"host": control}
        data["control"] = {**(data.get("control") or {}), **where}
    try:
        return Fleet(FleetSettings.model_validate(data))
    except ValidationError as exc:
        typer.echo(f"invalid fleet settings: {exc}", err=True)
        raise typer.Exit(2) from exc


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(str(exc), err=True)
    return typer.Exit(1)


@app.command("provision")
def provision(
    store: str = StoreOpt,
    node: str = NodeOpt,
    kind: str = typer.Option("kiosk", "--kind", help="kiosk, shelf or other."),
    rotate: bool = typer.Option(False, "--rotate", help="Replace an active node's password."),
    broker: str = typer.Option("mqtt://127.0.0.1:1883", "--broker", help="For the printed URL."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Also register the device in the cloud database."
    ),
    update_key: Path | None = typer.Option(
        None, "--update-key", help="The fleet's update signing.pub, for the node's env."
    ),
    config: Path | None = FleetConfigOpt,
    fleet_dir: Path | None = FleetDirOpt,
    pid_file: Path | None = PidOpt,
    control: str | None = ControlOpt,
) -> None:
    """Issue MQTT credentials for a node; the password is shown once."""
    from urllib.parse import urlsplit

    from cloud.exceptions import CloudError
    from contracts.bundles import BundleError, load_public_key

    fleet = _fleet(config, fleet_dir, pid_file, control)
    try:
        public = update_key.read_text(encoding="utf-8").strip() if update_key else None
        if public is not None:
            load_public_key(public)  # refuse a file that is not an update key
        cred = fleet.provision(store, node, kind=kind, rotate=rotate)
        if database_url:
            _register(database_url, store, node, kind)
    except (CloudError, ValueError, OSError, BundleError) as exc:
        raise _fail(exc) from exc
    parts = urlsplit(broker)
    url = cred.mqtt_url(parts.hostname or "127.0.0.1", parts.port or 1883, parts.scheme == "mqtts")
    typer.echo(
        f"username:  {cred.username}\npassword:  {cred.password}\nclient id: {cred.client_id}"
    )
    typer.echo(f"SMARTSTORE_MQTT_URL={url}")
    if public is not None:
        # the node checks every update bundle against this key (edge.updates)
        typer.echo(f"SMARTSTORE_CFG__UPDATES__PUBLIC_KEY={public}")


def _register(database_url: str, store: str, node: str, kind: str) -> None:
    from cloud.db.session import make_engine, make_sessionmaker, transaction
    from cloud.devices import service

    engine = make_engine(database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            if service.find_device(session, store, node) is None:
                service.register_device(session, store, node, kind)
    finally:
        engine.dispose()


@app.command("revoke")
def revoke(
    store: str = StoreOpt,
    node: str = NodeOpt,
    config: Path | None = FleetConfigOpt,
    fleet_dir: Path | None = FleetDirOpt,
    pid_file: Path | None = PidOpt,
    control: str | None = ControlOpt,
) -> None:
    """Revoke a node: the broker disconnects and refuses it (live with --broker-control)."""
    from cloud.exceptions import CloudError

    try:
        _fleet(config, fleet_dir, pid_file, control).revoke(store, node)
    except (CloudError, ValueError) as exc:
        raise _fail(exc) from exc
    typer.echo(f"revoked {store}/{node}")


@app.command("service")
def service_user(
    name: str = typer.Argument(..., help="ingest, api… (user cloud-<name>)."),
    config: Path | None = FleetConfigOpt,
    fleet_dir: Path | None = FleetDirOpt,
    pid_file: Path | None = PidOpt,
) -> None:
    """Issue (or rotate) a cloud service login."""
    from cloud.exceptions import CloudError

    try:
        cred = _fleet(config, fleet_dir, pid_file).provision_service(name)
    except (CloudError, ValueError) as exc:
        raise _fail(exc) from exc
    typer.echo(f"username: {cred.username}\npassword: {cred.password}")
    if cred.username == "cloud-ingest":
        import secrets

        # every worker of the chain shares it; a node that knew it could join the group
        typer.echo(f"SMARTSTORE_INGEST_GROUP=ingest{secrets.token_hex(8)}")


@app.command("list")
def list_nodes(config: Path | None = FleetConfigOpt, fleet_dir: Path | None = FleetDirOpt) -> None:
    """One JSON line per node: store, node, kind, issued_at, revoked_at."""
    for rec in _fleet(config, fleet_dir, None).nodes():
        typer.echo(rec.model_dump_json(exclude={"password_hash"}))


@app.command("sync")
def sync(
    config: Path | None = FleetConfigOpt,
    fleet_dir: Path | None = FleetDirOpt,
    pid_file: Path | None = PidOpt,
    control: str | None = ControlOpt,
) -> None:
    """Rewrite the broker's files from the registry, reload, reconcile the live broker."""
    from cloud.exceptions import CloudError

    try:
        missing = _fleet(config, fleet_dir, pid_file, control).sync()
    except CloudError as exc:
        raise _fail(exc) from exc
    typer.echo("broker files written")
    for username in missing:
        typer.echo(f"{username}: not on the live broker; rotate its password", err=True)


@app.command("command")
def command(
    name: str = typer.Argument(..., help="tare, lock, unlock, reload, reload_config, zreport…"),
    store: str = StoreOpt,
    node: str = NodeOpt,
    arg: list[str] = typer.Option([], "--arg", help="key=value (value parsed as JSON if it can)."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the result."),
    mqtt_url: str | None = typer.Option(None, "--mqtt-url", help="mqtt://user:pass@host:port"),
) -> None:
    """Send a command to a node and print its result (exit 1 on failure or timeout)."""
    from cloud.fleet.commands import CommandDispatcher, CommandStatus
    from cloud.fleet.exceptions import FleetError
    from cloud.settings import load_settings

    args: dict[str, Any] = {}
    for item in arg:
        key, _, value = item.partition("=")
        try:
            args[key] = json.loads(value)
        except ValueError:
            args[key] = value
    dispatcher, address = CommandDispatcher.from_settings(load_settings(mqtt_url=mqtt_url))
    try:
        dispatcher.start(address.host, address.port)
        done = dispatcher.run(store, node, name, args, timeout_s=timeout, issued_by="cli")
    except (FleetError, OSError, ValueError) as exc:
        raise _fail(exc) from exc
    finally:
        dispatcher.stop()
    payload = done.result.model_dump(mode="json") if done.result else None
    typer.echo(json.dumps({"status": done.status.value, "result": payload}))
    if done.status is not CommandStatus.OK:
        raise typer.Exit(1)


@app.command("config-push")
def config_push(
    file: Path = typer.Argument(..., help="Node config YAML (secrets stay in env)."),
    store: str = StoreOpt,
    node: str = NodeOpt,
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for the node."),
    mqtt_url: str | None = typer.Option(None, "--mqtt-url", help="mqtt://user:pass@host:port"),
    config: Path | None = FleetConfigOpt,
    fleet_dir: Path | None = FleetDirOpt,
) -> None:
    """Store the config as a new version and push it; the node validates or rolls back."""
    import yaml

    from cloud.fleet.commands import CommandDispatcher, CommandStatus
    from cloud.fleet.configs import ConfigStore, push_config
    from cloud.fleet.exceptions import FleetError
    from cloud.settings import load_settings

    fleet = _fleet(config, fleet_dir, None)
    configs = ConfigStore(fleet.settings.dir)
    try:
        version = configs.save(store, node, yaml.safe_load(file.read_text(encoding="utf-8")))
    except (FleetError, OSError, ValueError, yaml.YAMLError) as exc:
        raise _fail(exc) from exc
    typer.echo(f"saved {store}/{node} config version {version}")
    dispatcher, address = CommandDispatcher.from_settings(load_settings(mqtt_url=mqtt_url))
    try:
        dispatcher.start(address.host, address.port)
        done = push_config(dispatcher, configs, store, node, version=version, timeout_s=timeout)
    except (FleetError, OSError, ValueError) as exc:
        raise _fail(exc) from exc
    finally:
        dispatcher.stop()
    error = done.result.error if done.result else None
    typer.echo(f"{done.status.value}{': ' + error if error else ''}")
    if done.status is not CommandStatus.OK:
        raise typer.Exit(1)
