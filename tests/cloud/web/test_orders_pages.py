"""The order board and the phone pick page on SQLite and PostgreSQL: an order placed through
the service shows in the board's "new" column, is picked by typed codes, a second member of
staff gets the conflict on the page (409), late orders move to their own column."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cloud.db.session import transaction
from cloud.inventory import service as inventory
from cloud.orders import service as orders
from cloud.pricebook.builder import build_pricebook
from cloud.products import service as products
from cloud.stores import service as stores
from tests.cloud.web.conftest import Console

BOARD = "/console/s/store-a/orders"


def _order(console: Console, qty: int = 2) -> str:
    with transaction(console.sessions) as s:
        store = stores.get_store(s, "store-a")
        product = products.get_product(s, "MILK-1")
        inventory.move(s, store_id=store.id, product_id=product.id, kind="receiving",
                       qty=Decimal(5), now=console.clock())  # fmt: skip
        new = orders.NewOrder("web", "pickup", {"name": "Li"}, [("MILK-1", Decimal(qty))])
        return orders.place(
            s,
            store,
            new,
            book=build_pricebook(s, store, 1, console.clock()),
            by="staff_a",
            now=console.clock(),
        ).order_id


def _post(console: Console, order_id: str, token: str, action: str, code: str = "") -> str:
    res = console.client.post(
        f"{BOARD}/{order_id}", data={"csrf_token": token, "action": action, "code": code}
    )
    return f"{res.status_code} {res.text}"


def test_board_pick_by_typed_codes_and_the_conflict(console: Console) -> None:
    order_id = _order(console)
    token = console.login("staff_a")
    board = console.client.get(f"{BOARD}/board").text
    new_column = board.split('id="col-new"')[1].split("</section>")[0]
    assert order_id in new_column
    page = console.client.get(f"{BOARD}/{order_id}").text
    assert "store-a" in page
    assert "MILK-1" in page
    assert _post(console, order_id, token, "pick").startswith("200")
    assert "Picked: Milk 1 L" in _post(console, order_id, token, "scan", "06901234567892")
    refused = _post(console, order_id, token, "ready")
    assert refused.startswith("409")
    assert "Some items are not picked yet." in refused
    assert _post(console, order_id, token, "scan", "NO-SUCH").startswith("409")

    other = console.login("manager_a")
    clash = _post(console, order_id, other, "scan", "MILK-1")
    assert clash.startswith("409")
    assert "Someone else is picking this order: staff_a." in clash

    token = console.login("staff_a")
    assert _post(console, order_id, token, "scan", "MILK-1").startswith("200")
    done = _post(console, order_id, token, "ready")
    assert done.startswith("200")
    assert "Ready for the customer." in done
    board = console.client.get(f"{BOARD}/board").text
    assert order_id in board.split('id="col-ready"')[1].split("</section>")[0]
    stock = console.client.get("/console/s/store-a/inventory").text
    milk = stock.split('data-sku="MILK-1"')[1].split("</tr>")[0]
    assert '<td class="num reserved">2</td>' in milk  # held for the order until collected


def test_late_orders_and_store_scope(console: Console) -> None:
    order_id = _order(console, 1)
    console.clock.advance(minutes=31)
    console.login("staff_a")
    board = console.client.get(f"{BOARD}/board").text
    assert order_id in board.split('id="col-late"')[1].split("</section>")[0]
    console.clock.now -= timedelta(minutes=31)
    console.login("staff_b")
    assert console.client.get(f"{BOARD}/{order_id}").status_code == 403
