"""The members part: attach a member, online balance and tier, points with an offline cap,
coupons.

The cloud is asked (:mod:`kiosk.cloud_api.lookup`) with a short timeout, outside the
checkout lock; when it does not answer the kiosk keeps selling under the price book's
offline rules (``offline_redeem_limit``, coupon campaign windows) and the cloud reconciles on
ingest (decision 0121).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from kiosk.cloud_api.lookup import MemberLookup
from kiosk.exceptions import CloudRefused, CloudUnavailable, ItemRejected
from kiosk.shell.session import Session

log = logging.getLogger(__name__)

PRICING_REASONS = {"not_active": "expired", "unknown": "unknown"}
"""contracts.pricing rejection reasons shown with the cloud's words where they mean the same."""


class Members:
    """Member actions of the screen; slow cloud calls happen outside the session's lock."""

    def __init__(self, session: Session, lookup: MemberLookup) -> None:
        self.session = session
        self.lookup = lookup
        self.member_ids: dict[str, int] = {}
        """member key → cloud id, from the lookups of this process (for coupon checks)."""

    def identify(self, kind: Literal["phone", "card"], value: str) -> bool:
        """Attach the member, then ask the cloud for the balance and tier; True if online."""
        session = self.session
        session.act(lambda: session.co.attach_member(kind, value))
        member = session.co.cart.member
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
            current = session.co.cart.member
            if current is not None and (current.kind, current.value) == (kind, member.value):
                current.tier, current.balance = found.tier, found.points
                self.member_ids[f"{kind}:{member.value}"] = found.member_id

        session.act(remember)
        return True

    def redeem(self, points: int) -> None:
        """Online: up to the balance; offline: up to the book's limit (refused beyond it)."""
        self.session.act(lambda: self.session.co.redeem_points(points))

    def apply_coupon(self, code: str) -> None:
        """Check the code with the cloud when it answers, then price it; refuse with a reason."""
        session, co, code = self.session, self.session.co, code.strip()
        if not any(code.startswith(r.prefix) for r in co.book.coupons):
            session.act(lambda: co.add_coupon(code))  # counts the failure, refuses
            return
        member = co.cart.member
        member_id = self.member_ids.get(f"{member.kind}:{member.value}") if member else None
        try:
            self.lookup.check_coupon(code, member_id)
        except CloudUnavailable as exc:
            log.info("coupon %s checked offline only (%s)", code, exc)
        except CloudRefused as exc:
            refused = (exc.code, str(exc))
            session.act(lambda: _refuse(session, code, *refused))

        def add() -> None:
            before = set(co.cart.coupons)
            stale = {c for c, _ in co.priced().coupons_rejected} if before else set()
            co.add_coupon(code)
            if code in before:
                return
            # a new rejection is the new code's doing: refused itself, or displacing a code
            # already applied (one per campaign); either way the new code is the one refused
            rejected = {c: r for c, r in co.priced().coupons_rejected if c not in stale}
            if rejected:
                co.cart.coupons.remove(code)
                raw = rejected.get(code) or next(iter(rejected.values()))
                reason = PRICING_REASONS.get(raw, raw)
                _refuse(session, code, f"coupon_{reason}", f"coupon {reason}")

        session.act(add)

    def view(self) -> dict[str, Any]:
        member = self.session.co.cart.member
        if member is None:
            return {}
        book = self.session.co.book
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


def _refuse(session: Session, code: str, reason_code: str, text: str) -> None:
    session.co.record_failure("coupon")
    log.info("coupon %s refused: %s", code, reason_code)
    raise ItemRejected(text, reason_code)
