"""Hypothesis strategies shared by the fuzz tests: hostile bytes, JSON and mutated valid input.

Budget: ``FUZZ_EXAMPLES`` examples per property (default 200, CI), raised for a long local run
(``FUZZ_EXAMPLES=5000 pytest tests/fuzz``); no deadline, since the machine is shared.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=25,
)
hostile_text = st.text(
    alphabet=st.characters(codec="utf-8")
    | st.sampled_from(["\x00", "\x1d", "\u202e", "'", '"', "=", "<", ">"]),
    max_size=120,
)
hostile_bytes = st.binary(max_size=400) | hostile_text.map(
    lambda s: s.encode("utf-8", "surrogatepass")
)


def replace_somewhere(draw: st.DrawFn, obj: Any, depth: int = 0) -> Any:
    """Replace one value somewhere inside a JSON document by an arbitrary one."""
    if isinstance(obj, dict) and obj and depth < 6:
        key = draw(st.sampled_from(sorted(obj)))
        if draw(st.booleans()):
            return {**obj, key: replace_somewhere(draw, obj[key], depth + 1)}
        if draw(st.booleans()):
            return {k: v for k, v in obj.items() if k != key}
        return {**obj, key: draw(json_values)}
    if isinstance(obj, list) and obj and depth < 6:
        i = draw(st.integers(0, len(obj) - 1))
        return [*obj[:i], replace_somewhere(draw, obj[i], depth + 1), *obj[i + 1 :]]
    return draw(json_values)


@st.composite
def mutated_json(draw: st.DrawFn, valid: Any) -> bytes:
    """A valid document with one value replaced, dropped, or the bytes cut or flipped."""
    doc = replace_somewhere(draw, valid)
    raw = json.dumps(doc, allow_nan=True).encode()
    how = draw(st.sampled_from(["as_is", "truncate", "flip"]))
    if how == "truncate" and raw:
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if how == "flip" and raw:
        i = draw(st.integers(0, len(raw) - 1))
        return raw[:i] + bytes([raw[i] ^ draw(st.integers(1, 255))]) + raw[i + 1 :]
    return raw


def refused_with_reason(exc: Exception) -> None:
    """A refusal is only acceptable when it says why (it ends up in a log or a dead letter)."""
    assert str(exc).strip(), f"{type(exc).__name__} without a reason"
