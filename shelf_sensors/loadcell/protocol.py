"""The ``lane,t,raw`` serial line protocol of the load cell microcontroller.

See docs/loadcell-serial-protocol.md. One ASCII line per conversion::

    a3,123456,-80412*5C\\n      lane a3, MCU time 123456 ms, raw -80412, checksum 0x5C
    a3,123469,NR\\n             no conversion (chip not ready: disconnected or unpowered)
    #hello fw=1.2.0 lanes=24 rate=80

The checksum (``*`` + two hex digits, XOR of every byte before ``*``) is optional; when
present it must match. Every malformed line raises :class:`ProtocolError`; callers drop it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shelf_sensors.exceptions import ProtocolError
from shelf_sensors.loadcell.base import RAW_MAX, RAW_MIN, ReadStatus, classify_raw

MAX_LINE = 80
_LANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_INT = re.compile(r"^[+-]?\d{1,10}$")
_CODES: dict[str, ReadStatus] = {"NR": "failed", "ERR": "failed", "SAT": "saturated"}


@dataclass(frozen=True, slots=True)
class Sample:
    """A parsed data line; ``t_ms`` is the MCU's wrapping millisecond counter."""

    lane: str
    t_ms: int
    raw: int | None
    status: ReadStatus


@dataclass(frozen=True, slots=True)
class Info:
    """A ``#…`` status line from the firmware, e.g. ``hello fw=1.2.0 rate=80``."""

    text: str


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def format_line(lane: str, t_ms: int, raw: int | str, with_checksum: bool = True) -> bytes:
    """Encode one data line as the firmware would (used by the fake MCU and the tests)."""
    body = f"{lane},{t_ms % 2**32},{raw}".encode("ascii")
    if with_checksum:
        body += b"*%02X" % checksum(body)
    return body + b"\n"


def parse_line(line: bytes) -> Sample | Info | None:
    """Parse one line (with or without its newline); ``None`` for a blank line."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"line longer than {MAX_LINE} bytes")
    body = line.rstrip(b"\r\n")
    if not body.strip():
        return None
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProtocolError("line is not ASCII") from exc
    if text.startswith("#"):
        return Info(text[1:].strip())
    if "*" in text:
        text, _, given = text.rpartition("*")
        if len(given) != 2:
            raise ProtocolError("checksum must be two hex digits")
        try:
            expected = int(given, 16)
        except ValueError as exc:
            raise ProtocolError("checksum is not hex") from exc
        if checksum(text.encode("ascii")) != expected:
            raise ProtocolError("checksum mismatch")
    parts = text.split(",")
    if len(parts) != 3:
        raise ProtocolError(f"expected lane,t,raw; got {len(parts)} field(s)")
    lane, t_text, raw_text = (p.strip() for p in parts)
    if not _LANE.match(lane):
        raise ProtocolError(f"bad lane id {lane[:32]!r}")
    if not t_text.isdigit() or len(t_text) > 10 or int(t_text) >= 2**32:
        raise ProtocolError(f"bad time {t_text[:16]!r} (unsigned ms < 2^32)")
    t_ms = int(t_text)
    code = _CODES.get(raw_text.upper())
    if code is not None:
        return Sample(lane, t_ms, None, code)
    if not _INT.match(raw_text):
        raise ProtocolError(f"bad raw value {raw_text[:16]!r}")
    raw = int(raw_text)
    if raw < RAW_MIN or raw > RAW_MAX:
        raise ProtocolError(f"raw {raw} outside 24-bit range")
    return Sample(lane, t_ms, raw, classify_raw(raw))


class ClockUnwrapper:
    """Turns the MCU's 32-bit wrapping millisecond counter into rising seconds."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._base = 0

    def seconds(self, t_ms: int) -> float:
        if self._last is not None and t_ms < self._last and self._last - t_ms > 2**31:
            self._base += 2**32
        self._last = t_ms
        return (self._base + t_ms) / 1000.0
