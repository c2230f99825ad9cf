"""Role checks that are not a plain "these roles may call this route" (``cloud.deps.require_role``).

A cashier is a checkout: the service user a kiosk signs in with, or a staffed till. It may
call the handlers in :data:`CHECKOUT_HANDLERS` and nothing else, whatever a route's own role
dependency says, so an operation added later is closed to a stolen kiosk credential until
someone opens it here on purpose (docs/decisions/0034). Handlers are named by module and
function: route paths are not reliable at dependency time (routers are nested).
"""

from __future__ import annotations

from typing import Any

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role

CHECKOUT_HANDLERS = frozenset(
    {
        "cloud.api.programme.balance",  # GET /members/lookup/balance
        "cloud.api.programme.check",  # GET /coupons/{code}
        "cloud.api.auth.me",  # GET /auth/me
        "cloud.api.auth.csrf",  # GET /auth/csrf
        "cloud.api.auth.logout",  # POST /auth/logout
        "cloud.api.auth.change_password",  # POST /auth/password
        "cloud.api.orders.pickup",  # GET /pickups/{pickup_code}
        "cloud.api.orders.collect",  # POST /pickups/{pickup_code}/collect
    }
)
"""What the kiosk's member and coupon flow needs, and the caller's own account."""


def handler_name(endpoint: Any) -> str:
    return f"{getattr(endpoint, '__module__', '')}.{getattr(endpoint, '__qualname__', '')}"


def check_role_scope(role: Role, endpoint: Any) -> None:
    """Refuse a cashier anything outside :data:`CHECKOUT_HANDLERS` (403)."""
    if role is Role.CASHIER and handler_name(endpoint) not in CHECKOUT_HANDLERS:
        raise PermissionDeniedError(
            "a cashier (checkout) may only look up a member's balance and check coupons"
        )
