"""The software updates page (SQLite and PostgreSQL): a halted rollout with why, the failed
node with its own reason, every node's version and ring; admin and head office only."""

from __future__ import annotations

import re

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.updates import service
from contracts.bundles import FileEntry, Manifest
from contracts.messages import UpdateReport
from tests.cloud.web.conftest import Console


def _halted_rollout(console: Console) -> None:
    now = console.clock()
    with transaction(console.sessions) as s:
        for node in ("kiosk-1", "kiosk-2"):
            d = devices.register_device(s, "store-a", node, "kiosk")
            d.software_version = "1.1.0"
        files = {"app/x.py": FileEntry(sha256="0" * 64, size=1)}
        manifest = Manifest(version="1.2.0", node_kinds=["kiosk"], created_at=now,
                            python="cp311", platform="any", files=files)  # fmt: skip
        service.publish_release(s, manifest, sha256="0" * 64, size=1, by="admin", now=now)
        service.set_ring(s, "store-a", "kiosk-1", "canary")
        r = service.start_rollout(s, "1.2.0", ring="canary", percent=100, threshold=20,
                                  by="admin", now=now)  # fmt: skip
        service.due_orders(s, now)
        report = UpdateReport(version="1.2.0", status="rolled_back", rollout=str(r.id), at=now,
                              reason="self-test failed: broker: not connected")  # fmt: skip
        service.record_report(s, devices.get_device(s, "store-a", "kiosk-1"), report, now)


def _row(html: str, marker: str) -> str:
    found = re.search(rf"<tr {marker}.*?</tr>", html, re.S)
    assert found is not None, marker
    return re.sub(r"<[^>]+>", " ", found.group(0))


def test_halted_rollout_failures_and_versions(console: Console) -> None:
    _halted_rollout(console)
    console.login("hq")
    page = console.client.get("/console/updates")
    assert page.status_code == 200
    rollout = " ".join(_row(page.text, 'data-rollout="1"').split())
    assert "halted" in rollout
    assert "rolled back 1" in rollout
    assert "ring canary: 1 of 1 finished nodes failed (more than 20%)" in rollout
    failure = _row(page.text, 'data-node="store-a/kiosk-1"><td><code>store-a')
    assert "self-test failed: broker: not connected" in failure
    versions = _row(page.text, 'data-node="store-a/kiosk-2" data-version="1.1.0"')
    assert "1.1.0" in versions
    assert 'href="/console/updates"' in page.text  # in the menu


def test_store_roles_are_refused(console: Console) -> None:
    console.login("manager_a")
    assert console.client.get("/console/updates").status_code == 403
