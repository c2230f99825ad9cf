"""The returns part's ``kiosk_returns`` table: its row codec, and rows written with their
event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

import pytest

from contracts.codec import decode_event
from contracts.messages import ReturnData
from edge.outbox import Outbox
from kiosk.domain.returns import Refund, cash_in, encode_refunds, tally
from kiosk.shell.returns import DDL, cash_refunded, load_history, record_return

NOW = datetime(2025, 3, 14, 10, tzinfo=UTC)


def event(return_id: str, sale_id: str, lines: dict[int, str]) -> ReturnData:
    return ReturnData.model_validate(
        {
            "return_id": return_id,
            "sale_id": sale_id,
            "completed_at": NOW.isoformat(),
            "reason": "faulty",
            "refund_total": "1.00",
            "lines": [{"line_no": no, "qty": qty} for no, qty in lines.items()],
        }
    )


FIRST = [Refund("card", D("7.00"), "R1-card-0", "T1"), Refund("cash", D("2.50"), "acceptor")]
SECOND = [Refund("card", D("1.00"), "R2-card-0", "T1"), Refund("points", D("0.40"))]


def test_tally_sums_lines_methods_and_original_tenders() -> None:
    rows = [
        (event("R1", "S1", {1: "1", 2: "0.5"}).model_dump_json(), encode_refunds(FIRST)),
        (event("R2", "S1", {1: "1"}).model_dump_json(), encode_refunds(SECOND)),
    ]
    history = tally(rows)
    assert history.returned == {1: D(2), 2: D("0.5")}
    assert history.refunded == {"card": D("8.00"), "cash": D("2.50"), "points": D("0.40")}
    assert history.by_reference == {"T1": D("8.00")}  # cash and points name no tender
    assert tally([]) == ({}, {}, {})


def test_cash_in_counts_cash_only() -> None:
    assert cash_in([encode_refunds(FIRST), encode_refunds(SECOND)]) == D("2.50")
    assert cash_in([]) == D("0.00")


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox.open(tmp_path / "node.sqlite3", "demo", "kiosk-1")
    box.ensure_schema(DDL)
    try:
        yield box
    finally:
        box.close()


def test_record_writes_the_row_and_its_event_together(outbox: Outbox) -> None:
    record_return(outbox, event("R1", "S1", {1: "1"}), FIRST)
    record_return(outbox, event("R2", "S1", {2: "1"}), SECOND)
    record_return(outbox, event("R3", "S2", {1: "1"}), [Refund("cash", D("4.00"), "attendant")])
    history = load_history(outbox.path, "S1")
    assert history.returned == {1: D(1), 2: D(1)}
    assert history.by_reference == {"T1": D("8.00")}
    assert load_history(outbox.path, "S-none") == ({}, {}, {})
    assert cash_refunded(outbox.path) == D("6.50")
    published = [decode_event(r.topic, r.payload) for r in outbox.fetch_unsent(0, 100)]
    assert [e.payload.model_dump()["return_id"] for e in published] == ["R1", "R2", "R3"]
