"""The state rule: a state from an older boot never overrides a newer boot's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import NodeState
from contracts.state import apply_state, is_newer_state

states = st.builds(NodeState, online=st.booleans(), boot=st.integers(0, 1000))


def test_late_will_of_an_older_boot_is_ignored() -> None:
    current = NodeState(online=True, boot=2)
    late_will = NodeState(online=False, boot=1)
    assert not is_newer_state(current, late_will)
    assert apply_state(current, late_will) is current


def test_same_boot_going_offline_and_new_boot_coming_online_are_applied() -> None:
    online = NodeState(online=True, boot=2)
    assert is_newer_state(None, online)
    assert is_newer_state(online, NodeState(online=False, boot=2))
    assert is_newer_state(NodeState(online=False, boot=2), NodeState(online=True, boot=3))


@given(st.lists(states, min_size=1, max_size=20))
def test_applied_boot_never_goes_backwards_whatever_the_order(seq: list[NodeState]) -> None:
    current: NodeState | None = None
    for incoming in seq:
        current = apply_state(current, incoming)
    assert current is not None
    assert current.boot == max(s.boot for s in seq)
    last_of_max = [s for s in seq if s.boot == current.boot][-1]
    assert current == last_of_max
