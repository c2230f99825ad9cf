"""TLS for real: ``scripts/make-ca.sh`` makes the CA and certificates, a private Mosquitto serves
them (password file + ACL from the fleet registry, plus a mutual-TLS listener), a node's Link
and the cloud's ingest worker talk ``mqtts://`` and a sale flows into the database; clients
trusting another CA, or presenting another CA's certificate, are refused. The cloud API is
served over HTTPS by ``smartstore cloud serve --ssl-certfile/--ssl-keyfile``."""

from __future__ import annotations

import logging
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import func, select

from cloud.auth.models import Role
from cloud.auth.service import create_user, make_hasher
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.fleet.service import Fleet, IssuedCredentials
from cloud.ingest.models import ProcessedEvent
from cloud.ingest.runner import ingest_engine
from cloud.ingest.worker import IngestWorker
from cloud.mqtt import make_client
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from cloud.settings.fleet import FleetSettings
from edge.config import MqttSettings, NodeIdentity, OutboxSettings, TlsSettings
from edge.link import Link
from edge.outbox import Outbox
from smartstore.broker import free_port, wait_for_port
from tests.cloud.factories import sale_data, setup_store

pytestmark = pytest.mark.mosquitto

ROOT = Path(__file__).resolve().parents[2]
MAKE_CA = ROOT / "scripts" / "make-ca.sh"


def wait_for(check: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def make_ca(out: Path, *clients: str) -> Path:
    """Run the project's script; readable by the broker's own user (it drops root)."""
    subprocess.run(
        ["bash", str(MAKE_CA), str(out), "localhost", *clients],
        check=True,
        capture_output=True,
        timeout=60,
    )
    out.chmod(0o755)
    for path in out.iterdir():
        path.chmod(0o644)
    return out


@dataclass
class TlsBroker:
    port: int
    mtls_port: int
    pki: Path
    other: Path
    fleet: Fleet
    node: IssuedCredentials
    ingest: IssuedCredentials


@pytest.fixture(scope="module")
def tls_broker() -> Iterator[TlsBroker]:
    if shutil.which("mosquitto") is None or shutil.which("openssl") is None:
        pytest.skip("mosquitto or openssl not installed")
    # not under pytest's 0700 base: mosquitto drops root for its own user, which must read these
    work = Path(tempfile.mkdtemp(prefix="smartstore-tls-"))
    work.chmod(0o755)
    pki = make_ca(work / "pki", "demo/kiosk-1")
    other = make_ca(work / "other", "demo/kiosk-1")  # a CA nobody here trusts
    fleet_dir = work / "fleet"
    fleet = Fleet(FleetSettings(dir=fleet_dir))
    node = fleet.provision("demo", "kiosk-1")
    ingest = fleet.provision_service("ingest")
    fleet_dir.chmod(0o755)
    for path in fleet_dir.iterdir():
        path.chmod(0o644)
    # one listener set here (TLS is the point): node and cloud-service users in one file
    passwd = work / "passwd-all"
    passwd.write_text(
        fleet.settings.passwd_path.read_text() + fleet.settings.service_passwd_path.read_text()
    )
    passwd.chmod(0o644)
    port, mtls_port = free_port(), free_port()
    tls = [f"cafile {pki / 'ca.crt'}", f"certfile {pki / 'broker.crt'}"]
    tls += [f"keyfile {pki / 'broker.key'}", "tls_version tlsv1.2"]
    conf = work / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                "allow_anonymous false",
                f"password_file {passwd}",
                f"acl_file {fleet.settings.acl_path}",
                "persistence false",
                "set_tcp_nodelay true",
                f"listener {port} 127.0.0.1",
                *tls,
                f"listener {mtls_port} 127.0.0.1",
                *tls,
                "require_certificate true",
                "use_identity_as_username true",
                "",
            ]
        )
    )
    log = (work / "mosquitto.log").open("wb")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=log, stderr=log)
    try:
        wait_for_port("127.0.0.1", port, 10)
        wait_for_port("127.0.0.1", mtls_port, 10)
        yield TlsBroker(port, mtls_port, pki, other, fleet, node, ingest)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def node_link(tmp: Path, url: str, tls: TlsSettings) -> tuple[Link, Outbox]:
    settings = OutboxSettings(path=tmp / "node.sqlite3")
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    mqtt_settings = MqttSettings(url=url, tls=tls, backoff_min=0.1, backoff_max=0.5)
    ident = NodeIdentity(store="demo", node="kiosk-1")
    return Link(mqtt_settings, ident, outbox, kind="kiosk"), outbox


def node_url(broker: TlsBroker, port: int | None = None) -> str:
    user, password = quote(broker.node.username, safe=""), quote(broker.node.password, safe="")
    return f"mqtts://{user}:{password}@127.0.0.1:{port or broker.port}"


def test_node_and_cloud_over_mqtts_with_the_generated_certificates(
    tls_broker: TlsBroker, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    engine = make_engine(db)
    load_models().create_all(engine)
    with transaction(make_sessionmaker(engine)) as s:
        setup_store(s)
    ingest = tls_broker.ingest
    settings = CloudSettings(
        database_url=db,
        mqtt_url=f"mqtts://{ingest.username}:{ingest.password}@127.0.0.1:{tls_broker.port}",
        mqtt_ca_file=tls_broker.pki / "ca.crt",
    )
    worker_engine = ingest_engine(settings)
    worker = IngestWorker(settings, make_sessionmaker(worker_engine), batch_size=16)
    worker.start()
    link, outbox = node_link(
        tmp_path, node_url(tls_broker), TlsSettings(ca_file=tls_broker.pki / "ca.crt")
    )
    try:
        assert worker.wait_connected(15), "ingest worker did not connect over TLS"
        link.start()
        wait_for(lambda: link.connected, what="node connected over TLS")
        outbox.emit("sale", sale_data("tls-sale-1", n_lines=2))
        with make_sessionmaker(engine)() as s:
            wait_for(
                lambda: s.scalar(select(func.count()).select_from(Sale)) == 1,
                what="sale applied by the cloud",
            )
            assert s.scalar(select(Sale.sale_id)) == "tls-sale-1"
            assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        wait_for(lambda: outbox.depth() == 0, what="outbox drained")
    finally:
        link.stop()
        worker.stop()
        outbox.close()
        worker_engine.dispose()
        engine.dispose()


def test_clients_trusting_another_ca_are_refused(
    tls_broker: TlsBroker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = tls_broker.other / "ca.crt"
    # the cloud: its client refuses a broker its CA did not sign
    ingest = tls_broker.ingest
    settings = CloudSettings(
        mqtt_url=f"mqtts://{ingest.username}:{ingest.password}@127.0.0.1:{tls_broker.port}",
        mqtt_ca_file=wrong,
    )
    client, address, _ = make_client(settings, role="tls-test")
    with pytest.raises(ssl.SSLCertVerificationError):
        client.connect(address.host, address.port)
    # a node: the Link keeps retrying and never connects, saying why
    caplog.set_level(logging.INFO, logger="edge.link")
    link, outbox = node_link(tmp_path, node_url(tls_broker), TlsSettings(ca_file=wrong))
    link.start()
    try:
        wait_for(
            lambda: "CERTIFICATE_VERIFY_FAILED" in caplog.text, what="certificate refusal logged"
        )
        assert not link.connected
        assert link.connects == 0
    finally:
        link.stop()
        outbox.close()


def mtls_client(broker: TlsBroker, client_pki: Path) -> tuple[mqtt.Client, list[str]]:
    """A client with a certificate and no password; records CONNACK, PUBACKs, disconnects."""
    events: list[str] = []
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="demo-kiosk-1", protocol=MQTTProtocolVersion.MQTTv5
    )
    client.tls_set(
        ca_certs=str(broker.pki / "ca.crt"),
        certfile=str(client_pki / "demo_kiosk-1.crt"),
        keyfile=str(client_pki / "demo_kiosk-1.key"),
    )
    client.on_connect = lambda _c, _u, _f, rc, _p: events.append(f"connack:{rc}")
    client.on_publish = lambda _c, _u, mid, rc, _p: events.append(f"puback:{mid}:{rc}")
    client.on_disconnect = lambda *_a: events.append("disconnected")
    return client, events


def test_mutual_tls_takes_the_certificate_name_as_username(tls_broker: TlsBroker) -> None:
    client, events = mtls_client(tls_broker, tls_broker.pki)
    client.connect("127.0.0.1", tls_broker.mtls_port)
    client.loop_start()
    try:
        wait_for(lambda: events, what="CONNACK")
        assert events == ["connack:Success"]  # no password: CN demo/kiosk-1 is the ACL's user
        own = client.publish("smartstore/v1/demo/kiosk-1/evt/fault", b"{}", qos=1).mid
        other = client.publish("smartstore/v1/demo/kiosk-2/evt/fault", b"{}", qos=1).mid
        wait_for(lambda: len(events) == 3, what="two PUBACKs")
        accepted = {f"puback:{own}:Success", f"puback:{own}:No matching subscribers"}
        assert accepted & set(events)  # authorised (nobody listens to it here)
        assert f"puback:{other}:Not authorized" in events
    finally:
        client.disconnect()
        client.loop_stop()

    forged, forged_events = mtls_client(tls_broker, tls_broker.other)
    try:
        forged.connect("127.0.0.1", tls_broker.mtls_port)
    except (ssl.SSLError, OSError):  # TLS 1.2: the broker refuses during the handshake
        forged_events.append("handshake refused")
    else:
        forged.loop_start()
        wait_for(lambda: forged_events, what="the broker's answer")
        forged.loop_stop()
    assert "connack:Success" not in forged_events
    assert forged_events[0] in ("handshake refused", "disconnected")


def test_cloud_serve_over_https(tls_broker: TlsBroker, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    engine = make_engine(db)
    load_models().create_all(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        create_user(
            session,
            username="admin",
            password="long enough pw",
            role=Role.ADMIN,
            store_codes=[],
            now=datetime.now(UTC),
            hasher=make_hasher(fast=True),
        )
    engine.dispose()
    port = free_port()
    pki = tls_broker.pki
    env = {**os.environ, "SMARTSTORE_DATABASE_URL": db, "SMARTSTORE_SECRET_KEY": "t" * 40}
    cmd = [sys.executable, "-m", "smartstore", "cloud", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-publish"]
    cmd += ["--ssl-certfile", str(pki / "broker.crt"), "--ssl-keyfile", str(pki / "broker.key")]
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    try:
        wait_for_port("127.0.0.1", port, 30)
        trusted = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        res = httpx.get(f"https://127.0.0.1:{port}/openapi.json", verify=trusted, timeout=10)
        assert res.status_code == 200
        assert "/api/v1/auth/token" in res.json()["paths"]
        res = httpx.get(f"https://localhost:{port}/console/login", verify=trusted, timeout=10)
        assert res.status_code == 200
        # HTTPS: every cookie is Secure and the browser is told to stay on HTTPS (HSTS),
        # with no cookie_secure setting (the issue: Secure was missing unless it was set).
        assert res.headers["strict-transport-security"] == "max-age=31536000"
        assert "; Secure" in res.headers["set-cookie"]
        form = {"username": "admin", "password": "long enough pw"}
        res = httpx.post(
            f"https://127.0.0.1:{port}/api/v1/auth/session", data=form, verify=trusted, timeout=10
        )
        assert res.status_code == 200
        cookie = res.headers["set-cookie"]
        assert cookie.startswith("smartstore_session=")
        assert "; Secure" in cookie
        assert "HttpOnly" in cookie
        untrusted = ssl.create_default_context(cafile=str(tls_broker.other / "ca.crt"))
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{port}/openapi.json", verify=untrusted, timeout=10)
        with pytest.raises(httpx.HTTPError):  # plain HTTP on the TLS port gets no page
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).raise_for_status()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
