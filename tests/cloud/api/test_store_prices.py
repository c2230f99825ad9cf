"""Chain product data is head office's; a manager sets his own store's price, member price and
availability, which that store's price book alone carries (issue 16, "Authorization too broad").

Through the API with bearer tokens, with a real price book publisher whose sink keeps the
retained books as a broker would (the MQTT side of publishing is tested in
tests/cloud/pricebook/test_publisher.py against Mosquitto).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cloud.pricebook.publisher import MemorySink, PriceBookPublisher
from contracts.pricebook import PriceBook, decode_pricebook
from contracts.topics import pricebook_topic
from tests.cloud.api.conftest import Api

MILK = "/api/v1/products/MILK-1"


@pytest.fixture
def sink(api: Api) -> MemorySink:
    """The app publishes price books after each committed change, as in production."""
    sink = MemorySink()
    api.app.state.ctx.publisher = PriceBookPublisher(api.sessions, sink, clock=api.clock)
    return sink


def _book(sink: MemorySink, store: str) -> PriceBook:
    return decode_pricebook(sink.retained[pricebook_topic(store)])


def _milk(book: PriceBook) -> tuple[Decimal, Decimal | None, bool]:
    p = next(p for p in book.products if p.sku == "MILK-1")
    return p.price, p.member_price, p.active


def test_a_manager_cannot_change_what_another_stores_kiosks_charge(
    api: Api, sink: MemorySink
) -> None:
    north = api.headers("manager_b")  # manager of store-b only
    res = api.client.patch(MILK, json={"price": "0.02"}, headers=north)
    assert res.status_code == 403
    assert "head office" in res.json()["detail"]
    assert "/prices/" in res.json()["detail"]  # says where a store's own price is set
    for attempt in (
        api.client.post(f"{MILK}/barcodes", json={"gtin": "4006381333931"}, headers=north),
        api.client.delete(MILK, headers=north),
        api.client.put(
            "/api/v1/stores/store-a/prices/MILK-1", json={"price": "0.02"}, headers=north
        ),
        api.client.delete("/api/v1/stores/store-a/prices/MILK-1", headers=north),
    ):
        assert attempt.status_code == 403, attempt.text
    assert sink.count == 0  # nothing was published
    res = api.client.get(MILK, headers=api.headers("manager_a"))
    assert res.json()["price"] == "12.50"


def test_a_store_price_reaches_that_stores_book_only(api: Api, sink: MemorySink) -> None:
    manager = api.headers("manager_b")
    body = {"price": "11.90", "member_price": "10.90"}
    res = api.client.put("/api/v1/stores/store-b/prices/MILK-1", json=body, headers=manager)
    assert res.status_code == 200, res.text
    out = res.json()
    assert (out["effective_price"], out["chain_price"], out["updated_by"]) == (
        "11.90",
        "12.50",
        "manager_b",
    )
    assert list(sink.retained) == [pricebook_topic("store-b")]  # only that store republished
    assert _milk(_book(sink, "store-b")) == (Decimal("11.90"), Decimal("10.90"), True)

    # Head office changes the chain price: every store republishes, store-b keeps its own.
    res = api.client.patch(MILK, json={"price": "13.00"}, headers=api.headers("hq"))
    assert res.status_code == 200, res.text
    assert _milk(_book(sink, "store-a")) == (Decimal("13.00"), None, True)
    assert _milk(_book(sink, "store-b")) == (Decimal("11.90"), Decimal("10.90"), True)

    # Not sold in store-b; back to the chain's terms.
    off = {"available": False}
    res = api.client.put("/api/v1/stores/store-b/prices/MILK-1", json=off, headers=manager)
    assert res.status_code == 200
    version = _book(sink, "store-b").version
    assert _milk(_book(sink, "store-b")) == (Decimal("13.00"), None, False)
    res = api.client.delete("/api/v1/stores/store-b/prices/MILK-1", headers=manager)
    assert res.status_code == 204
    assert _book(sink, "store-b").version == version + 1
    assert _milk(_book(sink, "store-b")) == (Decimal("13.00"), None, True)
    again = api.client.delete("/api/v1/stores/store-b/prices/MILK-1", headers=manager)
    assert again.status_code == 404


def test_store_prices_are_listed_audited_and_validated(api: Api, sink: MemorySink) -> None:
    manager = api.headers("manager_a")
    url = "/api/v1/stores/store-a/prices"
    assert (
        api.client.put(f"{url}/MILK-1", json={"price": "9.99"}, headers=manager).status_code == 200
    )
    listed = api.client.get(url, headers=api.headers("staff_a")).json()
    assert [(p["sku"], p["price"], p["member_price"]) for p in listed["items"]] == [
        ("MILK-1", "9.99", None)
    ]
    assert api.client.get(url, headers=api.headers("hq")).status_code == 200  # head office sees
    assert api.client.get(url, headers=api.headers("staff_b")).status_code == 403
    assert api.client.get(url, headers=api.headers("cashier_a")).status_code == 403
    assert (
        api.client.put(f"{url}/MILK-1", json={"price": "1"}, headers=api.headers("staff_a"))
    ).status_code == 403
    for bad in (
        {"price": "-1"},
        {"price": "0.001"},
        {"price": 1.5},  # money is a decimal string
        {"price": "5", "member_price": "6"},  # member price above the price
        {},  # nothing to override
        {"available": True, "colour": "red"},
    ):
        res = api.client.put(f"{url}/MILK-1", json=bad, headers=manager)
        assert res.status_code == 422, (bad, res.text)
    assert api.client.put(f"{url}/NOPE", json={"price": "1"}, headers=manager).status_code == 404
    res = api.client.put(
        "/api/v1/stores/nowhere/prices/MILK-1", json={"price": "1"}, headers=manager
    )
    assert res.status_code == 404
    log = api.client.get(
        "/api/v1/audit", params={"entity": "store_price"}, headers=api.headers("admin")
    ).json()["items"]
    assert [(e["actor"], e["entity_id"], e["details"]["after"]["price"]) for e in log] == [
        ("manager_a", "store-a/MILK-1", "9.99")
    ]
    assert _milk(_book(sink, "store-a"))[0] == Decimal("9.99")
