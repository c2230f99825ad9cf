"""The attendant: PIN or badge checked against the config's attendants (argon2 hashes), and
interventions cleared on the screen or by the cloud's ``clear_intervention`` command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from kiosk.config import Attendant as AttendantConfig
from kiosk.exceptions import CheckoutError
from kiosk.shell.session import PinCheck, Session


def attendant_checker(attendants: Sequence[AttendantConfig]) -> PinCheck:
    """The attendant id a PIN or badge belongs to, or None (a bad hash never matches)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()

    def check(secret: str, kind: Literal["pin", "badge"]) -> str | None:
        secret = secret.strip()
        if not secret or len(secret) > 64:
            return None
        for att in attendants:
            if kind == "badge" and att.badge is not None and att.badge == secret:
                return att.id
            if kind == "pin" and att.pin_hash is not None:
                try:
                    if hasher.verify(att.pin_hash, secret):
                        return att.id
                except (VerificationError, InvalidHashError):
                    continue
        return None

    return check


class Attendant:
    def __init__(self, session: Session, check: PinCheck) -> None:
        self.session = session
        self.check = check
        """Replaced live when a pushed config changes the attendants."""

    def clear_with_secret(
        self,
        secret: str,
        kind: Literal["pin", "badge"],
        intervention_id: str | None = None,
        approve: bool = True,
    ) -> str:
        """A wrong PIN or badge counts as a failure, like an unknown item."""
        session = self.session
        attendant = self.check(secret, kind)

        def clear() -> str:
            if attendant is None:
                session.co.record_failure(f"wrong {kind}")
                raise CheckoutError(f"wrong {kind}", "wrong_pin")
            session.co.clear(intervention_id, attendant, kind, approve)
            session.complete_if_paid()
            return attendant

        return session.act(clear)

    def clear_remote(self, intervention_id: str | None, by: str, approve: bool = True) -> None:
        session = self.session

        def clear() -> None:
            session.co.clear(intervention_id, by, "remote", approve)
            session.complete_if_paid()

        session.act(clear)
