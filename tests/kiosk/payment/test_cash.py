"""Change making and the fake acceptor (property tests)."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.exceptions import PaymentError
from kiosk.payment.cash import FakeCashAcceptor, make_change

DENOMS = [D("0.1"), D("0.5"), D("1"), D("5"), D("10"), D("20"), D("50")]


@settings(deadline=None, max_examples=60)  # a shared 2-core VM: no timing here
@given(
    st.dictionaries(st.sampled_from(DENOMS), st.integers(0, 6)),
    st.integers(0, 20000).map(lambda c: D(c) / 100),
)
def test_change_is_exact_and_within_stock(stock: dict[D, int], amount: D) -> None:
    pieces = make_change(amount, stock)
    if pieces is None:
        return
    assert sum((d * n for d, n in pieces.items()), D(0)) == amount
    assert all(n <= stock[d] for d, n in pieces.items())


@settings(deadline=None)
@given(st.lists(st.sampled_from(DENOMS), max_size=8))
def test_change_exists_when_the_pieces_are_there(pieces: list[D]) -> None:
    stock = {d: pieces.count(d) for d in set(pieces)}
    assert make_change(sum(pieces, D(0)), stock) is not None


def test_greedy_trap_is_solved() -> None:
    assert make_change(D("0.60"), {D("0.5"): 1, D("0.2"): 3}) == {D("0.2"): 3}
    assert make_change(D("0.05"), {D("0.1"): 10}) is None


def test_fake_acceptor_refuses_unknown_notes_and_reports_jams() -> None:
    seen: list[D] = []
    cash = FakeCashAcceptor({D(10): 0, D(1): 2})
    cash.start(seen.append)
    cash.insert(D(10))
    assert seen == [D(10)]
    with pytest.raises(PaymentError):
        cash.insert(D(3))
    assert cash.dispense(D(2))
    assert cash.stock[D(1)] == 0
    assert not cash.dispense(D(1))
    assert not FakeCashAcceptor({D(1): 5}, jam_on_dispense=True).dispense(D(1))
