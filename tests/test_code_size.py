"""Small modules and short functions (ARCHITECTURE convention 6): no module over 400 lines,
no function over 80, migrations aside.

The test holds every package listed in ``CHECKED``: the code, the tests, the benchmarks and
the scripts. ``PENDING`` names offenders their owners are still splitting, and must only
shrink (an entry that no longer offends fails the test, so it is removed when its module is
split); it is empty. Run as a script to list the offenders (exit status 1 if any)::

    .venv/bin/python -m tests.test_code_size
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LINES = 400
FUNCTION_LINES = 80
CHECKED = (
    *("kiosk", "edge", "shelf_sensors", "contracts", "simulators", "smartstore", "cloud"),
    *("bench", "tests", "scripts"),
)

PENDING: dict[str, str] = {}
"""Known offenders in ``CHECKED`` (module path, or ``path:function``) and why they remain."""


def offenders(top: str) -> Iterator[tuple[str, int]]:
    """``(key, lines)`` of each module and function over its limit under ``top``."""
    for path in sorted((ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts or ".venv" in rel.parts:
            continue
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MODULE_LINES:
            yield str(rel), lines
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    yield f"{rel}:{node.name}", length


def test_no_new_long_module_or_function() -> None:
    found = {key: n for top in CHECKED for key, n in offenders(top)}
    new = {key: n for key, n in found.items() if key not in PENDING}
    assert not new, f"over {MODULE_LINES} lines per module / {FUNCTION_LINES} per function: {new}"


def test_pending_entries_still_offend() -> None:
    """A split module leaves the list: the list only ever shrinks."""
    found = {key for top in CHECKED for key, _ in offenders(top)}
    fixed = sorted(set(PENDING) - found)
    assert not fixed, f"no longer too long, remove from PENDING: {fixed}"


def main() -> int:
    rows = [(key, n) for top in CHECKED for key, n in offenders(top)]
    for key, n in rows:
        print(f"{n:5d}  {key}{'  (pending)' if key in PENDING else ''}")
    print(f"{len(rows)} over {MODULE_LINES} lines per module or {FUNCTION_LINES} per function")
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main())
