"""What every route of the screen gets: the kiosk's parts (``Annotated`` FastAPI dependency)
and the view it answers with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, ConfigDict
from starlette.requests import HTTPConnection

from kiosk.shell.parts import Parts
from kiosk.shell.view import build_view


def _parts(conn: HTTPConnection) -> Parts:
    parts: Parts = conn.app.state.parts
    return parts


PartsDep = Annotated[Parts, Depends(_parts)]


def view(parts: Parts) -> dict[str, Any]:
    """The screen's whole state, the answer to every action."""
    return build_view(parts.session, parts.members)


class Body(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")
