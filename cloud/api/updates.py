"""/updates: releases, rollouts and their actions (admin and head office); bundle downloads.

Bundles are served without a login: they carry no secrets, nodes have no API credential, and
a node trusts a bundle only after checking its Ed25519 signature and every file's hash.
The download route is left out of the OpenAPI document (a file, like /static).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from fastapi.responses import FileResponse

from cloud.deps import CtxDep, HeadOfficeUser, NowDep, SessionDep, audit
from cloud.exceptions import NotFoundError
from cloud.updates import service
from cloud.updates.bundles import BundleStore
from cloud.updates.exceptions import UpdateError
from cloud.updates.models import Rollout
from cloud.updates.schemas import (
    FailureOut,
    ReleaseOut,
    RingOut,
    RolloutCreate,
    RolloutOut,
)

router = APIRouter(prefix="/updates", tags=["updates"])

RolloutId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Action = Literal["pause", "resume", "abort", "rollback"]


def rollout_out(session: SessionDep, rollout: Rollout) -> RolloutOut:
    progress = service.progress(session, rollout)
    return RolloutOut(
        id=rollout.id,
        version=service.release_version(session, rollout),
        ring=rollout.ring,
        percent=rollout.percent,
        status=rollout.status,
        halt_above=rollout.failure_threshold,
        halt_reason=rollout.halt_reason,
        created_at=rollout.created_at,
        updated_at=rollout.updated_at,
        created_by=rollout.created_by,
        statuses=progress["statuses"],
        rings=[RingOut(**vars(t)) for t in progress["rings"]],
        failures=[FailureOut(**f) for f in progress["failures"]],
    )


@router.get("/releases", response_model=list[ReleaseOut])
def list_releases(user: HeadOfficeUser, session: SessionDep) -> list[ReleaseOut]:
    return [
        ReleaseOut(
            version=r.version,
            node_kinds=r.node_kinds.split(","),
            min_version=r.min_version,
            sha256=r.sha256,
            size=r.size,
            published_at=r.published_at,
            published_by=r.published_by,
        )
        for r in service.list_releases(session)
    ]


@router.get("/rollouts", response_model=list[RolloutOut])
def list_rollouts(user: HeadOfficeUser, session: SessionDep) -> list[RolloutOut]:
    return [rollout_out(session, r) for r in service.list_rollouts(session)]


@router.post("/rollouts", response_model=RolloutOut, status_code=status.HTTP_201_CREATED)
def start_rollout(
    body: RolloutCreate, user: HeadOfficeUser, session: SessionDep, now: NowDep
) -> RolloutOut:
    """Start a rollout of a published version, or widen its running one."""
    rollout = service.start_rollout(
        session,
        body.version,
        ring=body.ring,
        percent=body.percent,
        threshold=body.halt_above,
        by=user.username,
        now=now,
    )
    audit(session, user, now, "create", "rollout", str(rollout.id), details=body.model_dump())
    out = rollout_out(session, rollout)
    session.commit()
    return out


@router.get("/rollouts/{rollout_id}", response_model=RolloutOut)
def get_rollout(rollout_id: RolloutId, user: HeadOfficeUser, session: SessionDep) -> RolloutOut:
    return rollout_out(session, service.get_rollout(session, rollout_id))


@router.post("/rollouts/{rollout_id}/{action}", response_model=RolloutOut)
def act_on_rollout(
    rollout_id: RolloutId, action: Action, user: HeadOfficeUser, session: SessionDep, now: NowDep
) -> RolloutOut:
    """Pause, resume, abort; rollback aborts and answers the rollout sending nodes back."""
    if action == "rollback":
        rollout = service.roll_back(session, rollout_id, by=user.username, now=now)
    else:
        rollout = service.change_rollout(session, rollout_id, action, now)
    audit(session, user, now, action, "rollout", str(rollout_id))
    out = rollout_out(session, rollout)
    session.commit()
    return out


@router.get("/bundles/{version}", include_in_schema=False)
def download_bundle(version: Annotated[str, Path(max_length=32)], ctx: CtxDep) -> FileResponse:
    try:
        path = BundleStore(ctx.settings.updates_dir).path(version)
    except UpdateError as exc:
        raise NotFoundError(str(exc)) from exc
    if not path.is_file():
        raise NotFoundError(f"no bundle {version}")
    return FileResponse(path, media_type="application/x-tar", filename=path.name)
