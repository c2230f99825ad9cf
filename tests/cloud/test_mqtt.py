"""Cloud MQTT clients: ingest workers get unguessable client ids (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

from cloud.mqtt import make_client
from cloud.settings import CloudSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def test_each_ingest_process_picks_a_random_client_id_with_a_clean_session() -> None:
    settings = CloudSettings(mqtt_url="mqtt://cloud-ingest:pw@127.0.0.1:1884", mqtt_protocol="5")
    ids = set()
    for _ in range(3):
        client, _address, persistent = make_client(settings, role="ingest", manual_ack=True)
        assert persistent is False
        ids.add(client._client_id.decode())
    assert len(ids) == 3
    assert all(re.fullmatch(r"smartstore-ingest-[0-9a-f]{16}", cid) for cid in ids)


def test_no_unit_gives_a_cloud_process_a_fixed_client_id() -> None:
    """A fixed id (smartstore-ingest-%i) was guessable from this file; the units leave it to
    the process."""
    units = sorted(DEPLOY.glob("smartstore-*.service"))
    assert any(u.name == "smartstore-ingest@.service" for u in units)
    for unit in units:
        assert "SMARTSTORE_MQTT_CLIENT_ID=" not in unit.read_text(), unit.name
