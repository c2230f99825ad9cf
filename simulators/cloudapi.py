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

    def receive(self, store: str, sku: str, qty: int, reference: str) -> None:
        self._request(
            "POST",
            f"/inventory/{store}/receiving",
            json={"sku": sku, "qty": str(qty), "reference": reference[:200]},
        )
