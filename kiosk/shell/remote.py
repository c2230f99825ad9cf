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
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.messages import Command
from contracts.pricebook import PriceBook, decode_pricebook, encode_pricebook
from contracts.topics import pricebook_topic
from edge.inbound import Rejections
from kiosk.exceptions import CommandRefused
from kiosk.shell.attendant import Attendant
from kiosk.shell.session import Session
from kiosk.shell.zreport import close_day

log = logging.getLogger(__name__)

CommandFn = Callable[[Command], dict[str, Any]]


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


A = TypeVar("A", bound=_Args)


def _args(model: type[A], cmd: Command) -> A:
    try:
        return model.model_validate(cmd.args)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()
        )
        raise CommandRefused(f"bad arguments for {cmd.name}: {where}"[:300]) from exc


def commands(
    session: Session, attendant: Attendant, clock: Callable[[], datetime]
) -> dict[str, CommandFn]:
    """The kiosk's remote commands, by name, for :class:`edge.inbound.CommandRouter`."""
    co = session.co

    def clear(cmd: Command) -> dict[str, Any]:
        args = _args(ClearArgs, cmd)
        by = args.by or cmd.issued_by or "remote"
        attendant.clear_remote(args.intervention_id, by, args.approve)
        return {"phase": co.phase, "open_interventions": len(co.open_interventions)}

    def lock(cmd: Command) -> dict[str, Any]:
        args = _args(LockArgs, cmd)
        session.act(co.lock)
        log.info("locked remotely by %s: %s", cmd.issued_by or "cloud", args.reason or "-")
        return {"phase": co.phase, "lock_requested": co.lock_requested}

    def unlock(cmd: Command) -> dict[str, Any]:
        _args(LockArgs, cmd)
        session.act(co.unlock)
        return {"phase": co.phase, "lock_requested": co.lock_requested}

    def reload(cmd: Command) -> dict[str, Any]:
        """Re-read the stored price book (e.g. after a file was restored by hand)."""
        _args(NoArgs, cmd)
        raw = session.store.load_pricebook()
        if raw is not None:
            apply_book(session, decode_pricebook(raw))
        pending = co.pending_book
        return {
            "pricebook_version": co.book.version,
            "pending_version": pending.version if pending is not None else None,
        }

    def zreport(cmd: Command) -> dict[str, Any]:
        _args(NoArgs, cmd)
        report = close_day(session, clock())
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


def apply_book(session: Session, book: PriceBook) -> bool:
    """Offer a price book to the checkout (it applies at the cart boundary); True if taken."""
    with session.lock:
        changed = session.co.offer_book(book)
    if changed:
        session.notify()
    return changed


def book_handler(
    session: Session, rejections: Rejections | None = None
) -> Callable[[PriceBook], None]:
    """Store a newer price book, then offer it to the checkout; refuse stale ones, saying why."""
    sink = rejections or Rejections()

    def on_book(book: PriceBook) -> None:
        with session.lock:
            current = session.co.book
            pending = session.co.pending_book
            newest = max(current.version, pending.version if pending is not None else 0)
            if current.products and book.version <= newest:
                if book.version == newest:
                    log.debug("price book v%d already held", book.version)  # retained resend
                else:
                    reason = f"price book v{book.version} is older than v{newest}: ignored"
                    sink.reject(pricebook_topic(book.store), reason)
                return
            session.store.save_pricebook(book.version, encode_pricebook(book))
        applied = apply_book(session, book)
        log.info(
            "price book v%d stored; %s",
            book.version,
            "applies at the next cart boundary" if session.co.pending_book else "applied",
        )
        if not applied:
            log.warning("price book v%d stored but not offered to the checkout", book.version)

    return on_book
