"""Provision, rotate and revoke node credentials; regenerate the broker files; reload.

Revocation takes effect without a broker restart: the user disappears from the password
file and ACL, and SIGHUP makes Mosquitto reread both and disconnect the revoked client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cloud.fleet import credentials
from cloud.fleet.acl import NodeGrant, ServiceGrant, render_acl, render_passwords
from cloud.fleet.exceptions import FleetError, UnknownNodeError
from cloud.fleet.registry import NodeRecord, Registry, RegistryData, ServiceRecord, atomic_write
from cloud.fleet.reload import BrokerReloader, make_reloader
from cloud.fleet.settings import FleetSettings

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
        log.info("provisioned %s (%s)", username, "rotated" if rotate else "new")
        return IssuedCredentials(username, password, client_id=f"{store}-{node}")

    def revoke(self, store: str, node: str) -> None:
        username = credentials.node_username(store, node)
        with self.registry.locked() as data:
            record = data.nodes.get(username)
            if record is None or not record.active:
                raise UnknownNodeError(f"{username} has no active credentials")
            data.nodes[username] = record.model_copy(update={"revoked_at": self.clock()})
            self._write_broker_files(data)
        self.reloader.reload()
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

    def sync(self) -> None:
        """Rewrite the broker files from the registry and reload (after a manual restore)."""
        with self.registry.locked() as data:
            self._write_broker_files(data)
        self.reloader.reload()

    def _write_broker_files(self, data: RegistryData) -> None:
        nodes = [
            NodeGrant(r.store, r.node, r.password_hash) for r in data.nodes.values() if r.active
        ]
        services = [ServiceGrant(u, r.password_hash) for u, r in data.services.items()]
        atomic_write(self.settings.passwd_path, render_passwords(nodes, services))
        atomic_write(self.settings.acl_path, render_acl(nodes, services))
