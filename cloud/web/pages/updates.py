"""Software updates (admin and head office): each rollout's progress and halt reason, the
failures with the node's own reason, and every node's version and ring.

Read-only: rollouts are started and acted on with ``smartstore update …`` or the REST API
(``/api/v1/updates``), which audit who did it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cloud.auth.models import Role
from cloud.deps import SessionDep
from cloud.updates import service
from cloud.web.console import ViewerDep, render

router = APIRouter(prefix="/console")


@router.get("/updates", response_class=HTMLResponse)
def updates_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.HQ)
    rollouts = list(service.list_rollouts(session))
    rows = []
    for r in rollouts:
        progress = service.progress(session, r)
        over = [
            t for t in progress["rings"] if t.failed and t.failure_percent > r.failure_threshold
        ]
        version = service.release_version(session, r)
        rows.append({"rollout": r, "version": version, "over": over[:1], **progress})
    latest = rollouts[0] if rollouts else None
    return render(
        request,
        "updates.html",
        viewer=viewer,
        rollouts=rows,
        latest=rows[0] if rows else None,
        nodes=service.node_versions(session, latest),
        releases=service.list_releases(session),
    )
