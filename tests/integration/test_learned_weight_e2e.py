"""Acceptance (issue 17): a product whose catalogue weight is wrong stops raising false
bagging interventions once the shelf has learned its real weight.

Real nodes on a private Mosquitto: the shelf node (simulated load cell, real pipeline,
outbox and link) sells units of a 274 g catalogue product that really weighs 315 g; its
``stock`` events carry the learned weight to the real cloud ingest, which keeps it for the
store; the price book the cloud then publishes carries it, and the real kiosk node's bagging
check accepts the real weight that it refused with the catalogue's.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.db.session import make_engine, make_sessionmaker
from cloud.inventory.models import LearnedWeight
from edge.config import load_config
from edge.runtime import Runtime
from shelf_sensors.config import ShelfConfig
from shelf_sensors.loadcell.fake import FakeLoadCell
from shelf_sensors.node import build_shelf_node
from shelf_sensors.simulation import NoiseModel, SimLane
from simulators.cloud import LocalCloud
from smartstore.broker import free_port
from tests.cloud.conftest import reset_postgres
from tests.kiosk.node import wait_for
from tests.kiosk.test_service import Running, start
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.timeout(240)]
PASSWORD = "learned-weight-pass-1"
SKU, GTIN = "DAI-00002", "06901011000024"  # seed catalogue: 274 g, tolerance 14 g
CATALOGUE_G, TRUE_G = 274.0, 315.0
SPEED, FS_G = 50.0, 20_000.0  # simulated seconds per second; the cell the node calibrates for


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture
def cloud(database: str, mosquitto_broker: MosquittoProcess) -> Iterator[LocalCloud]:
    local = LocalCloud(database, mosquitto_broker.url, port=free_port())
    local.prepare(PASSWORD)
    local.start_ingest()
    local.publish_pricebook()
    try:
        yield local
    finally:
        local.stop()


def shelf_runtime(tmp: Path, url: str) -> Runtime:
    """The shelf node with its lane typed from the catalogue (274 g) and units that weigh
    315 g on the simulated cell; shoppers come every few simulated seconds, 50× real time."""
    lane = {"lane": "a1", "sku": SKU, "unit_weight_g": CATALOGUE_G, "capacity": 12}
    cfg = load_config(
        ShelfConfig,
        None,
        overrides={
            "identity": {"store": "demo", "node": "shelf-1"},
            "mqtt": {"url": url, "backoff_min": 0.1, "backoff_max": 0.5},
            "outbox": {"path": str(tmp / "shelf.sqlite3")},
            "metrics": {"port": 0},
            "lanes": [lane | {"low_stock_at": 2}],
            "loadcell": {"type": "fake", "speed": SPEED, "full_scale_g": FS_G},
        },
    )
    sim = SimLane(
        "a1", SKU, mu=TRUE_G, count=10, capacity=12, low_stock_at=2, spread=0.01, full_scale_g=FS_G
    )
    cell = FakeLoadCell([sim], seed=11, speed=SPEED, mean_gap_s=2.0, noise=NoiseModel())
    node = build_shelf_node(cfg, cell=cell)
    runtime = Runtime(node.services)
    runtime.start_all()
    return runtime


def learned(database: str, units: int) -> LearnedWeight | None:
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as s:
            row = s.scalars(select(LearnedWeight)).one_or_none()
    finally:
        engine.dispose()
    return row if row is not None and row.units_learned >= units else None


def bag_true_weight(k: Running) -> bool:
    """Scan the product, put its real weight on the bagging scale: True if the kiosk
    raised a weight mismatch (then the shopper swaps it for the catalogue weight)."""
    k.post("scan", {"code": GTIN})
    k.scale.place(TRUE_G)

    def checked() -> dict | None:  # type: ignore[type-arg]
        state = k.state()
        done = state["blocked"] or not state["lines"][0]["needs_bagging"]
        return state if done else None

    state = wait_for(checked, what="the bagging check")
    mismatch = bool(state["blocked"])
    if mismatch:
        assert [i["kind"] for i in state["interventions"]] == ["weight_mismatch"]
        k.scale.place(CATALOGUE_G - TRUE_G)
        wait_for(lambda: not k.state()["blocked"], what="mismatch cleared")
    wait_for(lambda: not k.state()["lines"][0]["needs_bagging"], what="item bagged")
    k.post("pay", {"method": "card"})
    wait_for(lambda: k.state()["phase"] == "receipt", what="card sale")
    k.post("new")
    return mismatch


def test_a_wrong_catalogue_weight_stops_raising_bagging_interventions(
    cloud: LocalCloud, database: str, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    for node in ("kiosk", "shelf"):
        (tmp_path / node).mkdir()
    runtime, k = start(tmp_path / "kiosk", mosquitto_broker.url)
    try:
        wait_for(lambda: k.state()["pricebook_version"] >= 2, what="the cloud's price book")
        assert bag_true_weight(k)  # the catalogue's 274 g: 315 g is a mismatch
        shelf = shelf_runtime(tmp_path / "shelf", mosquitto_broker.url)
        try:
            row = wait_for(lambda: learned(database, 30), timeout=120, what="learned weight")
        finally:
            shelf.stop_all()
        assert abs(float(row.unit_weight_g) - TRUE_G) < abs(CATALOGUE_G - TRUE_G) / 2
        version = k.state()["pricebook_version"]
        cloud.publish_pricebook()
        wait_for(lambda: k.state()["pricebook_version"] > version, what="the new price book")
        book = k.node.parts.session.co.book
        product = next(p for p in book.products if p.sku == SKU)
        assert product.learned_weight_g is not None  # the shelf's, as the cloud kept it
        assert abs(float(product.learned_weight_g) - TRUE_G) < abs(CATALOGUE_G - TRUE_G) / 2
        assert product.unit_weight_g == Decimal(274)  # the catalogue is unchanged
        assert not bag_true_weight(k)  # the shelf's weight: no intervention
    finally:
        runtime.stop_all()
