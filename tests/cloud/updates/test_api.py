"""The update API: rollouts for admin and head office only, clear 4xx, bundles with Range."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.settings import CloudSettings
from cloud.updates import service
from cloud.updates.build import build_bundle, public_key_text
from cloud.updates.bundles import BundleStore
from tests.cloud.api.conftest import Api
from tests.support.bundles import node_source

ROLLOUTS = "/api/v1/updates/rollouts"


@pytest.fixture
def published(api: Api, settings: CloudSettings, tmp_path: Path) -> bytes:
    key = Ed25519PrivateKey.generate()
    bundle = tmp_path / "b.tar"
    build_bundle(version="1.1.0", source=node_source(tmp_path / "src", "1.1.0"),
                 wheelhouse=None, key=key, out=bundle)  # fmt: skip
    manifest, sha, size = BundleStore(settings.updates_dir).add(bundle, public_key_text(key))
    with transaction(api.sessions) as s:
        service.publish_release(s, manifest, sha256=sha, size=size, by="t", now=api.clock())
        for node in ("kiosk-1", "kiosk-2"):
            devices.register_device(s, "store-a", node, "kiosk")
        service.set_ring(s, "store-a", "kiosk-1", "canary")
    return bundle.read_bytes()


def test_head_office_rolls_out_and_acts_on_it(api: Api, published: bytes) -> None:
    hq = api.headers("hq")
    res = api.client.post(ROLLOUTS, json={"version": "1.1.0", "ring": "canary"}, headers=hq)
    assert res.status_code == 201, res.text
    body = res.json()
    assert (body["status"], body["statuses"], body["halt_above"]) == ("running", {"pending": 1}, 20)
    rid = body["id"]
    res = api.client.post(f"{ROLLOUTS}/{rid}/pause", headers=hq)
    assert res.json()["status"] == "paused"
    res = api.client.post(f"{ROLLOUTS}/{rid}/pause", headers=hq)
    assert res.status_code == 409
    assert "cannot pause a rollout that is paused" in res.text
    assert api.client.get(f"{ROLLOUTS}/{rid}", headers=api.headers("admin")).status_code == 200
    assert [r["version"] for r in api.client.get(
        "/api/v1/updates/releases", headers=hq).json()] == ["1.1.0"]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"version": "1.1.0", "percent": 0}, 422),
        ({"version": "1.1.0", "percent": "50"}, 422),
        ({"version": "1.1", "ring": "everyone"}, 422),
        ({"version": "../etc"}, 422),
        ({"version": "7.7.7"}, 404),
    ],
)
def test_bad_orders_are_clear_4xx(
    api: Api,
    published: bytes,
    body: dict[str, object],
    code: int,
) -> None:
    res = api.client.post(ROLLOUTS, json=body, headers=api.headers("admin"))
    assert res.status_code == code, res.text


def test_store_roles_may_not_roll_out(api: Api, published: bytes) -> None:
    res = api.client.post(ROLLOUTS, json={"version": "1.1.0"}, headers=api.headers("manager_a"))
    assert res.status_code == 403


def test_bundle_download_resumes_with_range(api: Api, published: bytes) -> None:
    url = "/api/v1/updates/bundles/1.1.0"
    full = api.client.get(url)
    assert full.status_code == 200
    assert full.content == published
    part = api.client.get(url, headers={"Range": "bytes=1000-"})
    assert part.status_code == 206
    assert part.content == published[1000:]
    assert api.client.get("/api/v1/updates/bundles/9.9.9").status_code == 404
    assert api.client.get("/api/v1/updates/bundles/..%2Fsigning.pub").status_code == 404
