"""Members at the kiosk: online balance and tier lookup, points with an offline cap, coupons.

The cloud is asked with a short timeout, outside the checkout lock; when it does not answer
the kiosk keeps selling under the price book's offline rules (``offline_redeem_limit``, coupon
campaign windows) and the cloud reconciles on ingest (decision 0121). The HTTP client is the
real backend of :class:`MemberLookup`; ``type: none`` is the always-offline one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from kiosk.config import CloudApiConfig, HttpCloudApiConfig
from kiosk.exceptions import CloudRefused, CloudUnavailable, ItemRejected

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)

COUPON_REASONS = {
    "unknown coupon": "unknown",
    "coupon already used": "used",
    "coupon not valid yet": "not_yet",
    "coupon expired": "expired",
    "coupon belongs to another member": "other_member",
}
"""The cloud's coupon check messages (cloud.members.coupons.check) → stable reason codes."""

PRICING_REASONS = {"not_active": "expired", "unknown": "unknown"}
"""contracts.pricing rejection reasons shown with the cloud's words where they mean the same."""


@dataclass(frozen=True)
class Balance:
    member_id: int
    tier: str
    points: int


class MemberLookup(Protocol):
    """What the kiosk asks the cloud; raises CloudUnavailable / CloudRefused."""

    def balance(self, kind: Literal["phone", "card"], value: str) -> Balance: ...

    def check_coupon(self, code: str, member_id: int | None) -> None: ...


class OfflineLookup:
    """``cloud_api.type: none``: every question goes unanswered, offline rules apply."""

    def balance(self, kind: Literal["phone", "card"], value: str) -> Balance:
        raise CloudUnavailable("no cloud API configured")

    def check_coupon(self, code: str, member_id: int | None) -> None:
        raise CloudUnavailable("no cloud API configured")


class HttpLookup:
    """The cloud REST API as a cashier service user: bearer token from the OAuth2 password
    flow, fetched on first use and again after a 401 (tokens are short-lived)."""

    def __init__(self, config: HttpCloudApiConfig, transport: Any = None) -> None:
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
        import httpx

        try:
            with self._client() as client:
                for attempt in (1, 2):
                    token = self._login(client)
                    resp = client.get(
                        path, params=params, headers={"Authorization": f"Bearer {token}"}
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


def _message(resp: Any) -> str:
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        return f"HTTP {resp.status_code}"
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return str(detail[0].get("msg", ""))[:200]
    return str(detail)[:200]


def build_lookup(config: CloudApiConfig) -> MemberLookup:
    if isinstance(config, HttpCloudApiConfig):
        return HttpLookup(config)
    return OfflineLookup()


class MemberDesk:
    """Member actions of the screen; slow cloud calls happen outside the controller lock."""

    def __init__(self, ctl: KioskController, lookup: MemberLookup) -> None:
        self.ctl = ctl
        self.lookup = lookup
        self.member_ids: dict[str, int] = {}
        """member key → cloud id, from the lookups of this process (for coupon checks)."""

    def identify(self, kind: Literal["phone", "card"], value: str) -> bool:
        """Attach the member, then ask the cloud for the balance and tier; True if online."""
        self.ctl.act(lambda: self.ctl.co.attach_member(kind, value))
        member = self.ctl.co.cart.member
        if member is None:
            return False
        try:
            found = self.lookup.balance(member.kind, member.value)
        except CloudUnavailable as exc:
            log.info("member balance offline (%s): offline limit applies", exc)
            return False
        except CloudRefused as exc:
            log.info("member %s not known to the cloud: %s", member.kind, exc)
            return False

        def remember() -> None:
            current = self.ctl.co.cart.member
            if current is not None and (current.kind, current.value) == (kind, member.value):
                current.tier, current.balance = found.tier, found.points
                self.member_ids[f"{kind}:{member.value}"] = found.member_id

        self.ctl.act(remember)
        return True

    def redeem(self, points: int) -> None:
        """Online: up to the balance; offline: up to the book's limit (refused beyond it)."""
        self.ctl.act(lambda: self.ctl.co.redeem_points(points))

    def apply_coupon(self, code: str) -> None:
        """Check the code with the cloud when it answers, then price it; refuse with a reason."""
        code = code.strip()
        if not any(code.startswith(r.prefix) for r in self.ctl.co.book.coupons):
            self.ctl.act(lambda: self.ctl.co.add_coupon(code))  # records the failure, raises
            return
        member = self.ctl.co.cart.member
        member_id = self.member_ids.get(f"{member.kind}:{member.value}") if member else None
        try:
            self.lookup.check_coupon(code, member_id)
        except CloudUnavailable as exc:
            log.info("coupon %s checked offline only (%s)", code, exc)
        except CloudRefused as exc:
            refused = (exc.code, str(exc))
            self.ctl.act(lambda: _refuse(self.ctl, code, *refused))

        def add() -> None:
            before = set(self.ctl.co.cart.coupons)
            stale = {c for c, _ in self.ctl.co.priced().coupons_rejected} if before else set()
            self.ctl.co.add_coupon(code)
            if code in before:
                return
            # a new rejection is the new code's doing: refused itself, or displacing a code
            # already applied (one per campaign); either way the new code is the one refused
            rejected = {c: r for c, r in self.ctl.co.priced().coupons_rejected if c not in stale}
            if rejected:
                self.ctl.co.cart.coupons.remove(code)
                raw = rejected.get(code) or next(iter(rejected.values()))
                reason = PRICING_REASONS.get(raw, raw)
                _refuse(self.ctl, code, f"coupon_{reason}", f"coupon {reason}")

        self.ctl.act(add)

    def view(self) -> dict[str, Any]:
        member = self.ctl.co.cart.member
        if member is None:
            return {}
        book = self.ctl.co.book
        benefit = book.tier(member.tier)
        cap = member.balance if member.balance is not None else book.points.offline_redeem_limit
        return {
            "tier": member.tier,
            "balance": member.balance,
            "online": member.balance is not None,
            "redeem_cap": cap,
            "point_value": format(book.points.redeem_value, "f"),
            "discount_rate": format(benefit.discount_rate, "f") if benefit else "0",
            "points_multiplier": format(benefit.points_multiplier, "f") if benefit else "1",
        }


def _refuse(ctl: KioskController, code: str, reason_code: str, text: str) -> None:
    ctl.co.record_failure("coupon")
    log.info("coupon %s refused: %s", code, reason_code)
    raise ItemRejected(text, reason_code)


__all__ = [
    "Balance",
    "HttpLookup",
    "MemberDesk",
    "MemberLookup",
    "OfflineLookup",
    "build_lookup",
]
