"""Durable count of the messages a worker died on, so a message that kills it cannot loop.

Before a message is decoded, and before a batch is applied, its digest is appended to a
file as ``+digest``, and ``-digest`` when it leaves that section; ``=digest`` once committed and
acked. A digest still inside a section when the process dies counts as one crash on the
next start. The worker applies such suspects one at a time, and dead-letters a message with
``max_crashes`` crashes without parsing it again (docs/SECURITY.md). Appends are plain
``write`` calls (the page cache survives kill -9 and the OOM killer; only a host crash loses
the last marks, and then the message is merely parsed once more). ``path=None`` keeps the
counts in memory only (tests, the bench).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path


class DeliveryLedger:
    def __init__(self, path: Path | None = None, max_crashes: int = 2) -> None:
        self.path = path
        self.max_crashes = max_crashes
        self.crashes: dict[str, int] = load(path) if path is not None else {}
        self._lock = threading.Lock()
        self._fd: int | None = None
        if path is not None:
            self._rewrite(path)

    def count(self, digest: str) -> int:
        """How many earlier processes died with this message in hand."""
        return self.crashes.get(digest, 0)

    def is_suspect(self, digest: str) -> bool:
        return digest in self.crashes

    def is_poison(self, digest: str) -> bool:
        return self.crashes.get(digest, 0) >= self.max_crashes

    def mark(self, digests: Iterable[str]) -> None:
        self._append("".join(f"+{d}\n" for d in digests))

    def unmark(self, digests: Iterable[str]) -> None:
        """Out of the dangerous section (decoded); still a suspect until :meth:`done`."""
        self._append("".join(f"-{d}\n" for d in digests))

    def done(self, digests: Iterable[str]) -> None:
        """Committed and acknowledged: forget it, crashes included."""
        finished = list(digests)
        self._append("".join(f"={d}\n" for d in finished))
        for digest in finished:
            self.crashes.pop(digest, None)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _append(self, text: str) -> None:
        if self._fd is None or not text:
            return
        with self._lock:
            os.write(self._fd, text.encode())

    def _rewrite(self, path: Path) -> None:
        """Start a compact file holding only the crash counts carried over."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(f"c{d} {n}\n" for d, n in sorted(self.crashes.items())))
        tmp.replace(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)


def load(path: Path) -> dict[str, int]:
    """Replay the file: ``c<digest> <n>`` carries earlier crashes, ``+``/``-`` enter and
    leave a dangerous section (one still open is a crash), ``=`` forgets a finished digest."""
    carried: dict[str, int] = {}
    open_: dict[str, int] = {}
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return {}
    for line in text.splitlines():
        sign, rest = line[:1], line[1:].split()
        if not rest or len(rest[0]) != 64:
            continue  # a torn last line
        digest = rest[0]
        if sign == "c" and len(rest) == 2 and rest[1].isdigit():
            carried[digest] = int(rest[1])
        elif sign == "+":
            open_[digest] = open_.get(digest, 0) + 1
        elif sign == "-":
            open_[digest] = open_.get(digest, 0) - 1
        elif sign == "=":
            carried.pop(digest, None)
            open_.pop(digest, None)
    counts = dict(carried)
    for digest, n in open_.items():
        if n > 0:
            counts[digest] = counts.get(digest, 0) + 1
    return counts
