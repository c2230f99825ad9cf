"""Provision, rotate and revoke node credentials; regenerate the broker files; reload.

Revocation takes effect without a broker restart. The nodes' listener runs the
dynamic-security plugin (decision 0171): the fleet reconciles the live broker with the registry
over ``$CONTROL`` (deleting a client disconnects it) and renders the plugin's JSON for the next
start. The cloud services' listener keeps a password file and ACL, reread on SIGHUP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cloud.fleet import credentials, dynsec
from cloud.fleet.acl import NodeGrant, ServiceGrant, render_acl, render_passwords
from cloud.fleet.exceptions import FleetError, UnknownNodeError
from cloud.fleet.registry import NodeRecord, Registry, RegistryData, ServiceRecord, atomic_write
from cloud.fleet.reload import BrokerReloader, make_reloader
from cloud.settings.fleet import FleetSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    """Shown once: the registry keeps only the hash."""

    username: str
    password: str
    client_id: str

    def mqtt_url(self, host: str, port: int, tls: bool = False) -> str:
        from urllib.parse import quote

        scheme = "mqtts" if tls else "mqtt"
        user = quote(self.username, safe="")
        return f"{scheme}://{user}:{quote(self.password, safe='')}@{host}:{port}"


class Fleet:
    def __init__(
        self,
        settings: FleetSettings,
        *,
        reloader: BrokerReloader | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.registry = Registry(settings.dir)
        self.reloader = reloader or make_reloader(settings.reload)
        self.clock = clock

    # nodes ---------------------------------------------------------------------------------

    def provision(
        self, store: str, node: str, *, kind: str = "kiosk", rotate: bool = False
    ) -> IssuedCredentials:
        """New credentials for a node; an active node needs ``rotate`` (old password dies)."""
        username = credentials.node_username(store, node)
        password = credentials.new_password()
        with self.registry.locked() as data:
            current = data.nodes.get(username)
            if current is not None and current.active and not rotate:
                raise FleetError(f"{username} is already provisioned (use --rotate)")
            data.nodes[username] = NodeRecord(
                store=store,
                node=node,
                kind=kind,
                password_hash=credentials.hash_password(
                    password, iterations=self.settings.iterations
                ),
                issued_at=self.clock(),
            )
            self._write_broker_files(data)
        self.reloader.reload()
        self._apply_live({username: password})
        log.info("provisioned %s (%s)", username, "rotated" if rotate else "new")
        # the node listener sets use_username_as_clientid: the client id IS the user name
        return IssuedCredentials(username, password, client_id=username)

    def revoke(self, store: str, node: str) -> None:
        username = credentials.node_username(store, node)
        with self.registry.locked() as data:
            record = data.nodes.get(username)
            if record is None or not record.active:
                raise UnknownNodeError(f"{username} has no active credentials")
            data.nodes[username] = record.model_copy(update={"revoked_at": self.clock()})
            self._write_broker_files(data)
        self.reloader.reload()
        self._apply_live({})
        log.warning("revoked %s", username)

    def nodes(self) -> list[NodeRecord]:
        return sorted(self.registry.load().nodes.values(), key=lambda r: (r.store, r.node))

    # cloud services ----------------------------------------------------------------------

    def provision_service(self, name: str) -> IssuedCredentials:
        """(Re)issue a cloud service login, e.g. ``cloud-ingest``; always rotates."""
        username = credentials.service_username(name)
        password = credentials.new_password()
        with self.registry.locked() as data:
            data.services[username] = ServiceRecord(
                password_hash=credentials.hash_password(
                    password, iterations=self.settings.iterations
                ),
                issued_at=self.clock(),
            )
            self._write_broker_files(data)
        self.reloader.reload()
        return IssuedCredentials(username, password, client_id=username)

    def sync(self) -> list[str]:
        """Rewrite the broker files from the registry and reload (after a manual restore);
        returns the nodes the live broker lacks, which need a rotation."""
        with self.registry.locked() as data:
            self._write_broker_files(data)
        self.reloader.reload()
        return self._apply_live({})

    def _apply_live(self, fresh: dict[str, str]) -> list[str]:
        """Reconcile the running broker with the registry as it is now, under the registry's
        lock: two fleet processes cannot apply stale views in the wrong order."""
        if self.settings.control is None:
            log.info("no broker control configured: node changes apply at the broker's start")
            return []
        from cloud.fleet.control import apply_live

        password = self.settings.admin_secret_path.read_text(encoding="utf-8").strip()
        with self.registry.locked() as data:
            return apply_live(self.settings.control, password, _grants(data), fresh)

    def _admin(self, data: RegistryData) -> ServiceGrant:
        """The fleet's admin login, made once; its password stays in a 0600 file."""
        secret = self.settings.admin_secret_path
        if data.broker_admin is None or not secret.exists():
            password = credentials.new_password()
            atomic_write(secret, password + "\n", mode=0o600)
            data.broker_admin = ServiceRecord(
                password_hash=credentials.hash_password(
                    password, iterations=self.settings.iterations
                ),
                issued_at=self.clock(),
            )
        return ServiceGrant(dynsec.ADMIN_USER, data.broker_admin.password_hash)

    def _write_broker_files(self, data: RegistryData) -> None:
        nodes = _grants(data)
        services = [ServiceGrant(u, r.password_hash) for u, r in data.services.items()]
        # two listeners (config/mosquitto): nodes log in on one, cloud services on the other,
        # so a stolen node password is worthless where the ingest's sessions live
        atomic_write(self.settings.passwd_path, render_passwords(nodes, []))
        atomic_write(self.settings.service_passwd_path, render_passwords([], services))
        atomic_write(self.settings.acl_path, render_acl(nodes, services))
        # the nodes' listener: the plugin reads this at start and rewrites it after changes,
        # so its group (mosquitto) must be able to write it
        dynsec_json = dynsec.render_config(nodes, self._admin(data))
        atomic_write(self.settings.dynsec_path, dynsec_json, mode=0o660)


def _grants(data: RegistryData) -> list[NodeGrant]:
    return [NodeGrant(r.store, r.node, r.password_hash) for r in data.nodes.values() if r.active]
