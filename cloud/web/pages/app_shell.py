"""The installable staff app: the service worker (served from ``/console/`` so its scope is
the whole console) and the offline page it shows when the network is gone."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cloud.web.console import render

router = APIRouter(prefix="/console")


@router.get("/sw.js")
def service_worker() -> Response:
    body = resources.files("cloud.web").joinpath("static", "sw.js").read_text("utf-8")
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/console/"}
    return Response(body, media_type="text/javascript", headers=headers)


@router.get("/offline", response_class=HTMLResponse)
def offline(request: Request) -> HTMLResponse:
    """No login: it is cached by the service worker and says nothing about the store."""
    return render(request, "offline.html")
