"""What the cloud sends a kiosk: commands (``.../cmd/{name}``) and the retained price book.

Handlers never raise into the link: a bad command becomes ``ok: false`` with a reason (the
:class:`edge.inbound.CommandRouter` publishes it), a bad or stale price book is logged and
counted. A new price book is stored first, then offered to the checkout, which applies it at
the next cart boundary, so a restart with the broker down still has it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.messages import Command
from contracts.pricebook import PriceBook, decode_pricebook, encode_pricebook
from contracts.topics import pricebook_topic
from edge.inbound import Rejections
from kiosk.controller import KioskController
from kiosk.exceptions import KioskError

log = logging.getLogger(__name__)

CommandFn = Callable[[Command], dict[str, Any]]


class CommandRefused(KioskError):
    """A command whose arguments make no sense; the reason goes back in its result."""

    code = "command_refused"


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ClearArgs(_Args):
    """``clear_intervention`` arguments; no id clears every open intervention."""

    intervention_id: str | None = Field(
        default=None, max_length=64, description="The intervention to clear; None = all open"
    )
    by: str | None = Field(default=None, max_length=64, description="Attendant shown as clearer")
    approve: bool = Field(default=True, description="Approve (or reject) what was asked")


class LockArgs(_Args):
    """``lock``/``unlock`` arguments: only an optional reason for the log."""

    reason: str | None = Field(default=None, max_length=200, description="Why, for the log")


class NoArgs(_Args):
    """Commands that take no arguments refuse any, so a typo is not silently ignored."""


def _args(model: type[_Args], cmd: Command) -> Any:
    try:
        return model.model_validate(cmd.args)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()
        )
        raise CommandRefused(f"bad arguments for {cmd.name}: {where}"[:300]) from exc


def commands(ctl: KioskController, clock: Callable[[], datetime]) -> dict[str, CommandFn]:
    """The kiosk's remote commands, by name, for :class:`edge.inbound.CommandRouter`."""

    def clear(cmd: Command) -> dict[str, Any]:
        args: ClearArgs = _args(ClearArgs, cmd)
        by = args.by or cmd.issued_by or "remote"
        ctl.clear_remote(args.intervention_id, by, args.approve)
        return {"phase": ctl.co.phase, "open_interventions": len(ctl.co.open_interventions)}

    def lock(cmd: Command) -> dict[str, Any]:
        args: LockArgs = _args(LockArgs, cmd)
        ctl.act(ctl.co.lock)
        log.info("locked remotely by %s: %s", cmd.issued_by or "cloud", args.reason or "-")
        return {"phase": ctl.co.phase, "lock_requested": ctl.co.lock_requested}

    def unlock(cmd: Command) -> dict[str, Any]:
        _args(LockArgs, cmd)
        ctl.act(ctl.co.unlock)
        return {"phase": ctl.co.phase, "lock_requested": ctl.co.lock_requested}

    def reload(cmd: Command) -> dict[str, Any]:
        """Re-read the stored price book (e.g. after a file was restored by hand)."""
        _args(NoArgs, cmd)
        raw = ctl.store.load_pricebook()
        if raw is not None:
            ctl.apply_book(decode_pricebook(raw))
        pending = ctl.co.pending_book
        return {
            "pricebook_version": ctl.co.book.version,
            "pending_version": pending.version if pending is not None else None,
        }

    def zreport(cmd: Command) -> dict[str, Any]:
        _args(NoArgs, cmd)
        report = ctl.zreport(clock())
        return {key: report[key] for key in _ZREPORT_REPLY}

    return {
        "clear_intervention": clear,
        "lock": lock,
        "unlock": unlock,
        "reload": reload,
        "zreport": zreport,
    }


_ZREPORT_REPLY = (
    "report_no",
    "sales_count",
    "total",
    "cash_expected",
    "refunds_count",
    "refunds_total",
)
"""What the remote ``zreport`` command answers: enough to count the drawer against."""


def book_handler(
    ctl: KioskController, rejections: Rejections | None = None
) -> Callable[[PriceBook], None]:
    """Store a newer price book, then offer it to the checkout; refuse stale ones, saying why."""
    sink = rejections or Rejections()

    def on_book(book: PriceBook) -> None:
        with ctl.lock:
            current = ctl.co.book
            pending = ctl.co.pending_book
            newest = max(current.version, pending.version if pending is not None else 0)
            if current.products and book.version <= newest:
                if book.version == newest:
                    log.debug("price book v%d already held", book.version)  # retained resend
                else:
                    reason = f"price book v{book.version} is older than v{newest}: ignored"
                    sink.reject(pricebook_topic(book.store), reason)
                return
            ctl.store.save_pricebook(book.version, encode_pricebook(book))
        applied = ctl.apply_book(book)
        log.info(
            "price book v%d stored; %s",
            book.version,
            "applies at the next cart boundary" if ctl.co.pending_book else "applied",
        )
        if not applied:
            log.warning("price book v%d stored but not offered to the checkout", book.version)

    return on_book
