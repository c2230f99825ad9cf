"""The shelf map: every smart shelf of a store drawn lane by lane (fill, product, state, last
event), live over the store's SSE stream (``shelves`` and alert changes); a lane opens its
weight history chart and its events, as a panel (htmx) or a page of its own."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.inventory import shelf_map
from cloud.web.console import ViewerDep, render
from cloud.web.exceptions import PageNotFoundError
from cloud.web.formats import store_zone
from cloud.web.svg import Series, line_chart

router = APIRouter(prefix="/console")
HISTORY = timedelta(hours=24)


@router.get("/shelves")
def my_shelves(viewer: ViewerDep, session: SessionDep) -> RedirectResponse:
    """From pages not tied to a store (an admin's reports, users…): the first store's map."""
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "shelves")


@router.get("/s/{code}/shelves", response_class=HTMLResponse)
def shelf_page(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    nodes = shelf_map.shelves(session, store.id, now)
    return render(request, "shelves/shelves.html", viewer=viewer, store=store, nodes=nodes)


@router.get("/s/{code}/shelves/grid", response_class=HTMLResponse)
def shelf_grid(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    nodes = shelf_map.shelves(session, store.id, now)
    return render(request, "shelves/_grid.html", viewer=viewer, store=store, nodes=nodes)


@router.get("/s/{code}/shelves/{node}/{lane}", response_class=HTMLResponse)
def lane_detail(
    code: str,
    node: str,
    lane: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    lanes = shelf_map.shelves(session, store.id, now).get(node[:32], [])
    found = [x for x in lanes if x.lane == lane[:64]]
    if not found:
        raise PageNotFoundError(f"no lane {node}/{lane}")
    readings = shelf_map.history(session, store.id, found[0].node, found[0].lane, now - HISTORY)
    zone = store_zone(store)
    chart = line_chart(
        [r.at.astimezone(zone).strftime("%H:%M") for r in readings],
        [Series(viewer.t("shelf.grams"), [float(r.grams) for r in readings])],
        label=viewer.t("shelf.history_of", lane=found[0].lane, product=found[0].name),
        chart_id="lane-chart",
    )
    template = "shelves/_lane.html" if request.headers.get("HX-Request") else "shelves/lane.html"
    return render(
        request,
        template,
        viewer=viewer,
        store=store,
        lane=found[0],
        readings=list(reversed(readings))[:20],
        alerts=shelf_map.lane_alerts(session, store.id, found[0].node, found[0].lane),
        chart=chart,
    )
