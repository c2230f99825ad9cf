"""Remote commands from the cloud through a real Mosquitto to a running kiosk node.

Each command goes out as ``contracts.messages.Command`` on ``command_topic`` and its
``CommandResult`` comes back on ``command_result_topic``; the effect is checked on the
node's own screen API and on the events that reach the broker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

import pytest

from contracts.messages import SaleData, ZReportData
from contracts.topics import events_filter
from tests.kiosk.books import BAG, BEER
from tests.kiosk.mqtt_probe import CloudCommands, Probe
from tests.kiosk.node import wait_for
from tests.kiosk.test_service import start
from tests.support.services import MosquittoProcess

pytestmark = pytest.mark.mosquitto


class Remote:
    """A running node plus the cloud's view of it: commands out, results and events in."""

    def __init__(self, tmp_path: Path, broker: MosquittoProcess) -> None:
        self.events = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1"))
        self.cloud = CloudCommands(broker.host, broker.port, "demo", "kiosk-1")
        self.runtime, self.k = start(tmp_path, broker.url)

    def ready(self) -> None:
        """The node subscribes right after connecting: ping with ``reload`` until it answers."""
        pings: list[str] = []

        def answered() -> bool:
            if not pings or len(pings) % 25 == 0:
                pings.append(self.cloud.send("reload"))
            else:
                pings.append("")
            return any(p in self.cloud.results for p in pings if p)

        wait_for(answered, what="node answering commands")

    def close(self) -> None:
        self.runtime.stop_all()
        self.events.close()
        self.cloud.close()


@pytest.fixture
def remote(tmp_path: Path, mosquitto_broker: MosquittoProcess) -> Iterator[Remote]:
    r = Remote(tmp_path, mosquitto_broker)
    try:
        r.ready()
        yield r
    finally:
        r.close()


def test_lock_refuses_scans_until_unlocked(remote: Remote) -> None:
    k, cloud = remote.k, remote.cloud
    res = cloud.call("lock", {"reason": "till count"})
    assert res.ok, res.error
    assert res.result == {"phase": "locked", "lock_requested": True}
    assert k.state()["phase"] == "locked"
    refused = k.http.post("/api/scan", json={"code": BAG})
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_in_locked"
    assert k.state()["lines"] == []
    res = cloud.call("unlock")
    assert res.ok
    assert res.result["phase"] == "idle"
    k.post("scan", {"code": BAG})
    assert len(k.state()["lines"]) == 1


def test_lock_with_an_open_cart_waits_for_the_cart_boundary(remote: Remote) -> None:
    k, cloud = remote.k, remote.cloud
    k.post("scan", {"code": BAG})
    res = cloud.call("lock")
    assert res.ok
    assert res.result == {"phase": "scanning", "lock_requested": True}
    k.post("scan", {"code": BAG})  # the shopper finishes the cart already started
    k.post("pay", {"method": "cash"})
    k.post("cash", {"value": "1"})
    assert k.state()["phase"] == "receipt"
    k.post("finish")
    k.post("new")
    assert k.state()["phase"] == "locked"
    assert k.http.post("/api/scan", json={"code": BAG}).status_code == 409


def test_clear_intervention_remotely(remote: Remote) -> None:
    k, cloud = remote.k, remote.cloud
    k.post("scan", {"code": BEER})  # age-restricted: the node calls an attendant
    (raised,) = k.state()["interventions"]
    assert raised["kind"] == "age_restricted"
    assert k.http.post("/api/scan", json={"code": BAG}).json()["code"] == "blocked"
    res = cloud.call("clear_intervention", {"intervention_id": raised["id"], "by": "anna"})
    assert res.ok, res.error
    assert res.result["open_interventions"] == 0
    v = k.state()
    assert not v["blocked"]
    assert v["interventions"] == []
    k.post("scan", {"code": BAG})  # the shopper can go on
    assert [ln["name"] for ln in k.state()["lines"]] == ["Beer 500ml", "Carrier bag"]
    # the same id again: nothing open, refused with the reason
    again = cloud.call("clear_intervention", {"intervention_id": raised["id"]})
    assert not again.ok
    assert "no open intervention" in (again.error or "")
    # the cloud sees the intervention raised, then cleared remotely by anna
    got = remote.events.wait_count("intervention", 2)
    states = [(m["data"]["state"], m["data"].get("method")) for m in got]
    assert states == [("raised", None), ("cleared", "remote")]
    assert remote.events.of_type("intervention")[1]["data"]["cleared_by"] == "anna"


def test_zreport_totals_equal_the_days_sales(remote: Remote) -> None:
    k, cloud = remote.k, remote.cloud
    k.post("scan", {"code": BAG})
    k.post("pay", {"method": "cash"})
    k.post("cash", {"value": "1"})  # 0.50 change
    k.post("new")
    k.post("scan", {"code": BAG})
    line = k.state()["lines"][0]["line_id"]
    k.post("qty", {"line_id": line, "qty": 3})
    k.post("pay", {"method": "card"})
    wait_for(lambda: k.state()["phase"] == "receipt", what="card sale")
    sales = [SaleData.model_validate(m["data"]) for m in remote.events.wait_count("sale", 2)]
    res = cloud.call("zreport")
    assert res.ok, res.error
    assert res.result["sales_count"] == 2
    (event,) = remote.events.wait_count("zreport", 1)
    report = ZReportData.model_validate(event["data"])
    assert report.total == sum((s.total for s in sales), D(0)) == D("2.00")
    assert D(res.result["total"]) == report.total
    assert D(res.result["cash_expected"]) == report.cash_expected == D("0.50")
    assert (res.result["refunds_count"], D(res.result["refunds_total"])) == (0, D(0))
    assert sorted(report.sale_ids) == sorted(s.sale_id for s in sales)
    tenders = {t.method: t.amount for t in report.tenders}
    assert tenders == {"cash": D("1.00"), "card": D("1.50")}
    assert report.change == D("0.50")
    assert report.cash_expected == D("0.50")
    # the day is closed: the next Z report starts from nothing
    res = cloud.call("zreport")
    assert res.ok
    assert res.result["sales_count"] == 0
    assert res.result["report_no"] == 2


def test_expired_and_malformed_commands_are_refused_and_the_node_keeps_running(
    remote: Remote, caplog: pytest.LogCaptureFixture
) -> None:
    k, cloud = remote.k, remote.cloud
    caplog.set_level(logging.WARNING, logger="edge.inbound")
    past = datetime.now(UTC) - timedelta(minutes=5)
    res = cloud.call("lock", expires_at=past)
    assert not res.ok
    assert "expired" in (res.error or "")
    assert k.state()["phase"] == "idle"  # not locked
    # well-formed envelope, wrong arguments: refused with the reason, nothing done
    res = cloud.call("lock", {"reason": 42})
    assert not res.ok
    assert "bad arguments" in (res.error or "")
    res = cloud.call("clear_intervention", {"approve": "perhaps"})
    assert not res.ok
    assert "approve" in (res.error or "")
    res = cloud.call("zreport", {"day": "yesterday"})
    assert not res.ok
    assert "bad arguments" in (res.error or "")
    assert cloud.call("selfdestruct").error == "unknown command 'selfdestruct'"
    # the name in the payload disagrees with the topic
    cmd_id = "mismatch-1"
    cloud.send_raw(
        "lock",
        json.dumps(
            {"command_id": cmd_id, "name": "unlock", "issued_at": datetime.now(UTC).isoformat()}
        ).encode(),
    )
    assert "disagrees" in (cloud.result(cmd_id).error or "")
    # undecodable envelopes have no id to answer: logged with the reason and counted
    router = k.node.router
    assert router is not None
    before = router.rejections.count
    for junk in (
        b"\xff\x00not json",
        b"[]",
        json.dumps({"command_id": "x", "name": "lock"}).encode(),
    ):
        cloud.send_raw("lock", junk)
    wait_for(lambda: router.rejections.count >= before + 3, what="junk rejected")
    assert "issued_at" in (router.rejections.last_reason or "")
    assert any("rejected message" in r.getMessage() for r in caplog.records)
    # still alive: the screen answers and a good command works
    assert k.state()["phase"] == "idle"
    res = cloud.call("lock")
    assert res.ok
    assert k.state()["phase"] == "locked"
