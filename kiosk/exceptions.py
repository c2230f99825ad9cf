"""Errors of the kiosk node; the UI maps each to a message key the shopper can read."""


class KioskError(Exception):
    """Base of kiosk errors. ``code`` is a stable key the UI translates."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class CheckoutError(KioskError):
    """An action is not allowed in the current checkout state (e.g. scanning while paying)."""

    code = "not_allowed"


class ItemRejected(KioskError):
    """A scanned or typed item cannot be added: unknown, expired, inactive."""

    code = "unknown_item"


class BlockedError(CheckoutError):
    """An open intervention blocks the shopper until an attendant clears it."""

    code = "blocked"


class PaymentError(KioskError):
    """The payment terminal or cash acceptor failed in a way the shopper must see."""

    code = "payment_failed"


class CannotDispense(PaymentError):
    """The cash acceptor cannot pay out the change with the coins and notes it holds."""

    code = "cannot_dispense"


class ScaleError(KioskError):
    """The bagging-area scale stopped answering or sent garbage."""

    code = "scale_fault"


class StoreError(KioskError):
    """Local persistence failed (disk full, corrupt file)."""

    code = "store_error"


class UnknownCode(KioskError):
    """A suspend code or intervention id that does not exist."""

    code = "unknown_code"


class ConfigApplyError(KioskError):
    """A config pushed from the cloud passed validation but cannot run on this kiosk."""

    code = "config_apply"


class CloudUnavailable(KioskError):
    """The cloud API did not answer in time (or at all): the kiosk falls back to offline rules."""

    code = "cloud_unavailable"


class CloudRefused(KioskError):
    """The cloud answered no (unknown member, coupon expired); ``code`` says why."""

    code = "cloud_refused"


class ReturnError(KioskError):
    """A return cannot be made: sale not on this kiosk, lines already returned, bad quantity."""

    code = "return_refused"


class PrintFailed(KioskError):
    """The receipt did not print; ``code`` names the printer fault (paper out, offline…)."""

    code = "printer_fault"


class CommandRefused(KioskError):
    """A remote command whose arguments make no sense; the reason goes back in its result."""

    code = "command_refused"
