"""What the kiosk asks the cloud about members: balance and tier, and whether a coupon may
be used; and the one thing it asks the cloud to do: hand over an online order by its pickup
code (the cloud records the sale, the kiosk prints its receipt). :class:`HttpLookup` is the
REST client (``cloud_api: {type: http}``), :class:`OfflineLookup` the always-offline one
(``type: none``).

Every question has a short timeout; no answer raises :class:`CloudUnavailable` and the kiosk
keeps selling under the price book's offline rules (decision 0121).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from contracts.messages import SaleData
from kiosk.exceptions import CloudRefused, CloudUnavailable

log = logging.getLogger(__name__)

COUPON_REASONS = {
    "unknown coupon": "unknown",
    "coupon already used": "used",
    "coupon not valid yet": "not_yet",
    "coupon expired": "expired",
    "coupon belongs to another member": "other_member",
}
"""The cloud's coupon check messages (cloud.members.coupons.check) → stable reason codes."""
PICKUP_REASONS = {"http_404": "pickup_unknown", "http_409": "pickup_not_ready"}
"""The cloud's answers to a collection (no such code here; not ready or collected already)."""


@dataclass(frozen=True)
class Balance:
    member_id: int
    tier: str
    points: int


class MemberLookup(Protocol):
    """What the kiosk asks the cloud; raises CloudUnavailable / CloudRefused."""

    def balance(self, kind: Literal["phone", "card"], value: str) -> Balance: ...

    def check_coupon(self, code: str, member_id: int | None) -> None: ...

    def collect_order(self, store: str, pickup_code: str) -> SaleData:
        """The ready order with this code is collected; its sale, as the cloud recorded it."""
        ...


class OfflineLookup:
    """``cloud_api.type: none``: every question goes unanswered, offline rules apply."""

    def balance(self, kind: Literal["phone", "card"], value: str) -> Balance:
        raise CloudUnavailable("no cloud API configured")

    def check_coupon(self, code: str, member_id: int | None) -> None:
        raise CloudUnavailable("no cloud API configured")

    def collect_order(self, store: str, pickup_code: str) -> SaleData:
        raise CloudUnavailable("no cloud API configured")


class ApiSettings(Protocol):
    """Where and as whom to ask (``kiosk.cloud_api.config.HttpCloudApiConfig``)."""

    @property
    def url(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def timeout_s(self) -> float: ...

    def secret(self) -> str: ...


class HttpLookup:
    """The cloud REST API as a cashier service user: bearer token from the OAuth2 password
    flow, fetched on first use and again after a 401 (tokens are short-lived)."""

    def __init__(self, config: ApiSettings, transport: Any = None) -> None:
        self.config = config
        self._transport = transport
        self._token: str | None = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        import httpx

        return httpx.Client(
            base_url=self.config.url.rstrip("/"),
            timeout=self.config.timeout_s,
            transport=self._transport,
        )

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        return self._call("GET", path, params=params)

    def _call(
        self, method: str, path: str, params: dict[str, Any] | None = None, json: Any = None
    ) -> Any:
        import httpx

        try:
            with self._client() as client:
                for attempt in (1, 2):
                    token = self._login(client)
                    resp = client.request(
                        method,
                        path,
                        params=params,
                        json=json,
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if resp.status_code == 401 and attempt == 1:
                        self._token = None
                        continue
                    break
        except (httpx.HTTPError, OSError) as exc:
            raise CloudUnavailable(f"cloud unreachable: {type(exc).__name__}") from exc
        if resp.status_code >= 500 or resp.status_code in (401, 403, 423):
            raise CloudUnavailable(f"cloud answered {resp.status_code}")
        if resp.status_code >= 400:
            raise CloudRefused(_message(resp), f"http_{resp.status_code}")
        try:
            return resp.json()
        except ValueError as exc:
            raise CloudUnavailable("cloud answered garbage") from exc

    def _login(self, client: Any) -> str:
        with self._lock:
            if self._token is None:
                resp = client.post(
                    "/auth/token",
                    data={"username": self.config.username, "password": self.config.secret()},
                )
                if resp.status_code != 200:
                    raise CloudUnavailable(f"kiosk API login refused ({resp.status_code})")
                self._token = str(resp.json()["access_token"])
            return self._token

    def balance(self, kind: Literal["phone", "card"], value: str) -> Balance:
        body = self._get("/members/lookup/balance", {kind: value})
        try:
            return Balance(int(body["member_id"]), str(body["tier"]), int(body["points_balance"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CloudUnavailable("unexpected balance answer") from exc

    def check_coupon(self, code: str, member_id: int | None) -> None:
        params = {"member_id": member_id} if member_id is not None else {}
        try:
            self._get(f"/coupons/{code}", params)
        except CloudRefused as exc:
            reason = COUPON_REASONS.get(str(exc), "refused")
            raise CloudRefused(str(exc), f"coupon_{reason}") from exc

    def collect_order(self, store: str, pickup_code: str) -> SaleData:
        if not pickup_code.isdigit() or len(pickup_code) != 6:
            raise CloudRefused("a pickup code is six digits", "pickup_code")
        try:
            body = self._call("POST", f"/pickups/{pickup_code}/collect", json={"store": store})
        except CloudRefused as exc:
            reason = PICKUP_REASONS.get(exc.code, "pickup_refused")
            raise CloudRefused(str(exc), reason) from exc
        try:
            return SaleData.model_validate(body["sale"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CloudUnavailable("unexpected collect answer") from exc


def _message(resp: Any) -> str:
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        return f"HTTP {resp.status_code}"
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return str(detail[0].get("msg", ""))[:200]
    return str(detail)[:200]


__all__ = ["ApiSettings", "Balance", "HttpLookup", "MemberLookup", "OfflineLookup"]
