"""A small client of the cloud REST API for simulated staff and for checking results."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import httpx

from simulators.exceptions import SimulatorError

log = logging.getLogger(__name__)


class CloudApi:
    """Logs in with the OAuth2 password form; re-logs in when the token expires."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None
        self.buyer: CloudApi | None = None
        """A manager's client: with it, deliveries go through purchase orders it approves."""

    def close(self) -> None:
        self._http.close()

    def login(self) -> None:
        r = self._http.post(
            "/api/v1/auth/token", data={"username": self.username, "password": self._password}
        )
        if r.status_code != 200:
            raise SimulatorError(f"login as {self.username} failed: {r.status_code} {r.text[:200]}")
        self._token = str(r.json()["access_token"])

    def _request(self, method: str, path: str, *, ok: tuple[int, ...] = (), **kwargs: Any) -> Any:
        """JSON of the answer; statuses in ``ok`` (e.g. 409) return None instead of raising."""
        for attempt in range(2):
            if self._token is None:
                self.login()
            headers = {"Authorization": f"Bearer {self._token}"}
            r = self._http.request(method, f"/api/v1{path}", headers=headers, **kwargs)
            if r.status_code == 401 and attempt == 0:
                self._token = None
                continue
            if r.status_code in ok:
                return None
            if r.status_code >= 400:
                raise SimulatorError(f"{method} {path}: {r.status_code} {r.text[:200]}")
            return r.json()
        raise SimulatorError(f"{method} {path}: unauthorised")

    def ensure_store(self, code: str, name: str) -> bool:
        """Create the store (admin only); False when it existed already."""
        body = {"code": code, "name": name}
        return self._request("POST", "/stores", json=body, ok=(409,)) is not None

    def ensure_device(self, store: str, node: str, kind: str) -> bool:
        """Register a node of a store (manager or admin); False when it was registered."""
        body = {"node": node, "kind": kind, "name": f"simulated {kind}"}
        found = self._request("POST", f"/stores/{store}/devices", json=body, ok=(409,))
        return found is not None

    def all_pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._request("GET", path, params={**params, "limit": 500, "offset": offset})
            items.extend(page["items"])
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return items

    def device(self, store: str, node: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/stores/{store}/devices/{node}"))

    def start_rollout(self, version: str, ring: str, *, percent: int, halt_above: int) -> int:
        """Start a rollout of a published version (head office); returns its id."""
        body = {"version": version, "ring": ring, "percent": percent, "halt_above": halt_above}
        return int(self._request("POST", "/updates/rollouts", json=body)["id"])

    def rollout(self, rollout_id: int) -> dict[str, Any]:
        """Status, halt reason, target statuses and failures (node, reason) of a rollout."""
        return dict(self._request("GET", f"/updates/rollouts/{rollout_id}"))

    def open_alerts(self, store: str) -> list[dict[str, Any]]:
        return self.all_pages("/alerts", store=store, status="open")

    def alerts(self, store: str) -> list[dict[str, Any]]:
        return self.all_pages("/alerts", store=store)

    def sales(self, store: str) -> list[dict[str, Any]]:
        return self.all_pages("/sales", store=store)

    def dead_letters(self) -> list[dict[str, Any]]:
        return self.all_pages("/deadletters")

    def on_hand(self, store: str) -> dict[str, Decimal]:
        rows = self.all_pages(f"/inventory/{store}/on-hand")
        return {row["sku"]: Decimal(str(row["on_hand"])) for row in rows}

    def receive(
        self, store: str, sku: str, qty: int, reference: str, unit_cost: Decimal | None = None
    ) -> None:
        body = {"sku": sku, "qty": str(qty), "reference": reference[:200]}
        if unit_cost is not None:
            body["unit_cost"] = str(unit_cost)
        self._request("POST", f"/inventory/{store}/receiving", json=body)

    def deliver(
        self, store: str, sku: str, qty: int, reference: str, unit_cost: Decimal, supplier: str
    ) -> str | None:
        """A delivery through a purchase order: drafted here, approved and sent by the buyer,
        received here. Without a buyer, or when the supplier is unknown (a database seeded
        before suppliers), a plain receiving; returns the order number if there was one."""
        line = {"sku": sku, "qty": str(qty), "unit_cost": str(unit_cost)}
        body = {"store": store, "supplier": supplier, "lines": [line], "note": reference[:500]}
        order = None
        if self.buyer is not None:
            order = self._request("POST", "/purchase-orders", json=body, ok=(404,))
        if order is None or self.buyer is None:
            self.receive(store, sku, qty, reference, unit_cost)
            return None
        number = str(order["number"])
        self.buyer._request("POST", f"/purchase-orders/{number}/approve")
        self.buyer._request("POST", f"/purchase-orders/{number}/send")
        counts = {"lines": [{"line_no": 1, "qty": str(qty)}]}
        self._request("POST", f"/purchase-orders/{number}/receipts", json=counts)
        return number

    def stocktake(self, store: str, counts: dict[str, int], reason: str) -> list[dict[str, Any]]:
        body = {
            "counts": [{"sku": s, "counted": str(n), "reason": reason} for s, n in counts.items()]
        }
        return list(self._request("POST", f"/inventory/{store}/stocktake", json=body))

    def clock_in(self, store: str) -> bool:
        """Start a shift; False when one was open already (a demo that was killed)."""
        body = {"store": store}
        return self._request("POST", "/attendance/clock-in", json=body, ok=(409,)) is not None

    def clock_out(self, store: str) -> None:
        self._request("POST", "/attendance/clock-out", json={"store": store}, ok=(409,))

    def shifts(self, store: str, **params: str) -> list[dict[str, Any]]:
        return list(self._request("GET", "/attendance", params={"store": store, **params}))

    def place_order(self, store: str, lines: dict[str, int]) -> dict[str, Any] | None:
        """An online pickup order of the store; None when the stock is not available (409)."""
        body = {
            "store": store,
            "channel": "miniprogram",
            "fulfilment": "pickup",
            "customer": {"name": "Simulated shopper"},
            "lines": [{"sku": sku, "qty": str(n)} for sku, n in lines.items()],
        }
        found = self._request("POST", "/orders", json=body, ok=(409,))
        return None if found is None else dict(found)

    def order_action(self, order_id: str, action: str) -> bool:
        """pick, ready, cancel…; False when refused (409: someone else, or the state)."""
        return self._request("POST", f"/orders/{order_id}/{action}", ok=(409,)) is not None

    def scan_for_order(self, order_id: str, code: str) -> bool:
        body = {"code": code}
        return self._request("POST", f"/orders/{order_id}/scans", json=body, ok=(409,)) is not None

    def collect(self, store: str, pickup_code: str) -> bool:
        body = {"store": store}
        path = f"/pickups/{pickup_code}/collect"
        return self._request("POST", path, json=body, ok=(409,)) is not None

    def tasks(self, store: str, **params: str) -> list[dict[str, Any]]:
        """One page of the store's tasks (open work first)."""
        page = self._request("GET", "/tasks", params={"store": store, **params})
        return list(page["items"])

    def start_task(self, task_id: int) -> None:
        """Take and start an unassigned task; 409 (someone else took it, or it closed) is fine."""
        self._request("POST", f"/tasks/{task_id}/start", ok=(409,))

    def acknowledge(self, alert_id: int) -> None:
        """409 (acknowledged meanwhile) is fine: someone did it."""
        self._request("POST", f"/alerts/{alert_id}/acknowledge", ok=(409,))

    def resolve(self, alert_id: int) -> None:
        self._request("POST", f"/alerts/{alert_id}/resolve", ok=(409,))
