"""ESC/POS real-time status (DLE EOT n): requests, parsing, and a printer's answers.

python-escpos's ``paper_status()`` reports "paper OK" when the printer says nothing; here
silence or a malformed byte is UNKNOWN, never OK. Every status byte has fixed bits
(bit 1 and bit 4 set, bits 0 and 7 clear), which is how garbage is told from an answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
REQ_PRINTER = DLE_EOT + b"\x01"  # online/offline
REQ_OFFLINE_CAUSE = DLE_EOT + b"\x02"  # cover open, paper-end stop, error
REQ_PAPER = DLE_EOT + b"\x04"  # roll paper sensors

_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12
_OFFLINE = 0x08
_COVER_OPEN, _PAPER_STOP, _ERROR = 0x04, 0x20, 0x40
_NEAR_END, _PAPER_END = 0x0C, 0x60


class PaperStatus(enum.Enum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer told us; None fields mean it did not say."""

    online: bool | None
    paper: PaperStatus
    cover_open: bool | None = None
    error: bool | None = None


def _valid(answer: bytes | None) -> int | None:
    if not answer:
        return None
    byte = answer[-1]
    return byte if byte & _FIXED_MASK == _FIXED_VALUE else None


def parse_paper(answer: bytes | None) -> PaperStatus:
    byte = _valid(answer)
    if byte is None:
        return PaperStatus.UNKNOWN
    if byte & _PAPER_END:
        return PaperStatus.OUT
    if byte & _NEAR_END:
        return PaperStatus.NEAR_END
    return PaperStatus.OK


def parse_online(answer: bytes | None) -> bool | None:
    byte = _valid(answer)
    return None if byte is None else not byte & _OFFLINE


def parse_offline_cause(answer: bytes | None) -> tuple[bool | None, bool | None, bool | None]:
    """(cover open, stopped for paper end, error), each None when unknown."""
    byte = _valid(answer)
    if byte is None:
        return None, None, None
    return bool(byte & _COVER_OPEN), bool(byte & _PAPER_STOP), bool(byte & _ERROR)


def answer_status_query(
    request: bytes, *, paper: str = "ok", online: bool = True, cover_open: bool = False
) -> bytes:
    """The byte a printer in this state answers to ``request`` (for fakes and simulators)."""
    byte = _FIXED_VALUE
    if request == REQ_PRINTER and not online:
        byte |= _OFFLINE
    elif request == REQ_OFFLINE_CAUSE:
        byte |= _COVER_OPEN if cover_open else 0
        byte |= _PAPER_STOP if paper == "out" else 0
        byte |= _ERROR if not online and not cover_open and paper != "out" else 0
    elif request == REQ_PAPER:
        byte |= {"ok": 0, "near_end": _NEAR_END, "out": _NEAR_END | _PAPER_END}.get(paper, 0)
    return bytes([byte])
