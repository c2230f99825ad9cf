"""Console, with cookies and CSRF tokens: the catalogue is head office's, a manager sets his own
store's prices (issue 16). The price book the store's kiosks get is checked too."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from cloud.pricebook.builder import build_pricebook
from cloud.products.models import Product, StorePrice
from cloud.stores.models import Store
from tests.cloud.web.conftest import Console


def _price(console: Console, store: str) -> tuple[Decimal, bool]:
    with console.sessions() as s:
        row = s.scalars(select(Store).where(Store.code == store)).one()
        book = build_pricebook(s, row, 1, console.clock())
    milk = next(p for p in book.products if p.sku == "MILK-1")
    return milk.price, milk.active


def test_a_manager_sees_the_catalogue_read_only_and_cannot_post_to_it(console: Console) -> None:
    token = console.login("manager_b")
    page = console.client.get("/console/products/MILK-1")
    assert page.status_code == 200
    assert 'id="read-only"' in page.text
    assert 'id="save"' not in page.text
    form = {"name": "Milk", "price": "0.02", "tax_class": "std", "csrf_token": token}
    assert console.client.post("/console/products/MILK-1", data=form).status_code == 403
    new = {"sku": "NEW-1", "name": "New", "price": "1.00", "csrf_token": token}
    assert console.client.post("/console/products/new", data=new).status_code == 403
    upload = console.client.post(
        "/console/products-import",
        data={"csrf_token": token},
        files={"file": ("p.csv", b"sku,name,price\nMILK-1,Milk,0.02\n", "text/csv")},
    )
    assert upload.status_code == 403
    assert _price(console, "store-a") == (Decimal("12.50"), True)
    assert _price(console, "store-b") == (Decimal("12.50"), True)


def test_a_manager_sets_his_own_stores_price_and_not_anothers(console: Console) -> None:
    token = console.login("manager_b")
    page = console.client.get("/console/s/store-b/prices")
    assert page.status_code == 200
    assert console.client.get("/console/s/store-a/prices").status_code == 403
    form = {"sku": "MILK-1", "price": "0.02", "available": "1", "csrf_token": token}
    assert console.client.post("/console/s/store-a/prices", data=form).status_code == 403
    res = console.client.post("/console/s/store-b/prices", data=form, follow_redirects=False)
    assert res.status_code == 303
    assert _price(console, "store-b") == (Decimal("0.02"), True)
    assert _price(console, "store-a") == (Decimal("12.50"), True)
    listing = console.client.get("/console/s/store-b/prices")
    assert "MILK-1" in listing.text
    assert "0.02" in listing.text
    assert "2026-03-02 17:30 Asia/Shanghai" in listing.text  # the store's time, not UTC
    bad = {"sku": "MILK-1", "price": "1e999", "csrf_token": token}
    res = console.client.post("/console/s/store-b/prices", data=bad)
    assert res.status_code == 422
    assert 'id="e-price"' in res.text
    res = console.client.post(
        "/console/s/store-b/prices", data={"sku": "NOPE", "price": "1", "csrf_token": token}
    )
    assert res.status_code == 422
    assert 'id="e-sku"' in res.text
    forged = {**form, "csrf_token": "f" * 64}
    assert console.client.post("/console/s/store-b/prices", data=forged).status_code == 403
    off = {"sku": "MILK-1", "csrf_token": token}  # "sold in this store" unticked
    assert console.client.post("/console/s/store-b/prices", data=off).status_code == 200
    assert _price(console, "store-b") == (Decimal("12.50"), False)
    res = console.client.post("/console/s/store-b/prices/MILK-1/delete", data={"csrf_token": token})
    assert res.status_code == 200
    assert _price(console, "store-b") == (Decimal("12.50"), True)
    with console.sessions() as s:
        assert s.scalars(select(StorePrice)).first() is None


def test_head_office_edits_the_catalogue(console: Console) -> None:
    token = console.login("hq")
    home = console.client.get("/console", follow_redirects=False)
    assert home.headers["location"] == "/console/products"
    form = {"name": "Milk 1 L", "price": "12.90", "tax_class": "std", "active": "1"}
    res = console.client.post(
        "/console/products/MILK-1", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    with console.sessions() as s:
        assert s.scalars(select(Product.price).where(Product.sku == "MILK-1")).one() == Decimal(
            "12.90"
        )
    assert console.client.get("/console/s/store-a/prices").status_code == 200
    assert console.client.get("/console/s/store-a/alerts").status_code == 403  # not a store role
