"""The two ways a console form POST ends once its fields have been read (Post/Redirect/Get).

A write the domain refuses leaves nothing behind and its message is shown next to a field of
the re-rendered form (:func:`refused`); a write that goes through is audited in its own
transaction, committed and answered with a 303, so a reload of the page that follows does
not post the form again (:func:`saved`). Reading and checking the fields, and the CSRF check
(:func:`cloud.web.console.get_viewer`), happen before either.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi.responses import RedirectResponse

from cloud.deps import audit
from cloud.web.console import FieldErrors, Viewer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def saved(
    session: Session,
    viewer: Viewer,
    now: datetime,
    action: str,
    entity: str,
    entity_id: str | int | None,
    *,
    to: str,
    store_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> RedirectResponse:
    """Audits the viewer's write, commits it with the audit entry and redirects (303) to ``to``."""
    audit(
        session,
        viewer.principal,
        now,
        action,
        entity,
        entity_id,
        store_id=store_id,
        details=details,
    )
    session.commit()
    return RedirectResponse(to, status_code=303)


def refused(session: Session, errors: FieldErrors, field: str, message: str) -> None:
    """Rolls back the refused write and puts its message next to ``field``."""
    session.rollback()
    errors[field] = message
