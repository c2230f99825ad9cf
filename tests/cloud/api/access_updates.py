"""Access-matrix recipes for /updates: a release, and a rollout to act on, made per call
(one rollout runs at a time, so each call aborts the one before)."""

from __future__ import annotations

from cloud.db.session import transaction
from cloud.updates import service as updates
from contracts.bundles import FileEntry, Manifest
from tests.cloud.api.access_requests import Call, Recipe
from tests.cloud.api.access_world import World

V1 = "/api/v1"


def _release(w: World) -> str:
    """A published release of its own; any running rollout is aborted first (one at a time)."""
    now = w.api.clock()
    version = f"9.{w.n()}.0"
    with transaction(w.api.sessions) as s:
        for r in updates.list_rollouts(s):
            if r.status in ("running", "paused", "halted"):
                updates.change_rollout(s, r.id, "abort", now)
        files = {"app/x.py": FileEntry(sha256="0" * 64, size=1)}
        manifest = Manifest(
            version=version, node_kinds=["kiosk"], created_at=now, python="cp311",
            platform="any", files=files,
        )  # fmt: skip
        updates.publish_release(s, manifest, sha256="0" * 64, size=1, by="test", now=now)
    return version


def _rollout(w: World) -> int:
    version = _release(w)
    with transaction(w.api.sessions) as s:
        r = updates.start_rollout(
            s, version, ring="canary", percent=100, threshold=20, by="test", now=w.api.clock()
        )
        return r.id


RECIPES: dict[str, Recipe] = {
    "POST /api/v1/updates/rollouts": lambda w, s: Call(
        "POST", V1 + "/updates/rollouts", json={"version": _release(w), "ring": "canary"}
    ),
    "GET /api/v1/updates/rollouts/{rollout_id}": lambda w, s: Call(
        "GET", f"{V1}/updates/rollouts/{_rollout(w)}"
    ),
    "POST /api/v1/updates/rollouts/{rollout_id}/{action}": lambda w, s: Call(
        "POST", f"{V1}/updates/rollouts/{_rollout(w)}/pause"
    ),
}
