"""The page itself: its HTML, the live view over a WebSocket, the QR image, the language."""

from __future__ import annotations

import asyncio
import io
from importlib import resources
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, Response

from kiosk.ui.deps import Body, PartsDep, view

router = APIRouter()


class LanguageBody(Body):
    language: Literal["en", "zh-Hans"]


@router.get("/", response_class=HTMLResponse)
def index() -> str:
    return (resources.files("kiosk.ui") / "static" / "index.html").read_text(encoding="utf-8")


@router.get("/api/qr.svg")
def qr_svg(data: str = "") -> Response:
    """The merchant QR drawn locally (segno), so no network is needed to show it."""
    import segno

    buf = io.BytesIO()
    segno.make(data[:500] or "-", error="m").save(buf, kind="svg", scale=6, border=2)
    return Response(buf.getvalue(), media_type="image/svg+xml")


@router.get("/api/state")
def state(parts: PartsDep) -> dict[str, Any]:
    return view(parts)


@router.post("/api/language")
def language(body: LanguageBody, parts: PartsDep) -> dict[str, Any]:
    parts.session.screen.language = body.language
    parts.session.notify()
    return view(parts)


@router.websocket("/ws")
async def live(ws: WebSocket, parts: PartsDep) -> None:
    """The view now, then again after every change."""
    await ws.accept()
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake() -> None:
        loop.call_soon_threadsafe(changed.set)

    parts.session.subscribe(wake)
    try:
        await ws.send_json(await asyncio.to_thread(view, parts))
        while True:
            await changed.wait()
            changed.clear()
            await ws.send_json(await asyncio.to_thread(view, parts))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        parts.session.unsubscribe(wake)
