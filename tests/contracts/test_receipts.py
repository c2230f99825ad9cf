"""E-receipt tokens: what the kiosk signs the cloud verifies; any change to a token fails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.receipts import make_token, read_token, receipt_url, store_key, verify_token
from kiosk.domain.returns import sale_id_from

MASTER = b"cloud secret key"


def test_round_trip_and_store_keys_differ() -> None:
    key = store_key(MASTER, "demo")
    token = make_token(key, "demo", "K1-0001")
    assert read_token(token) == ("demo", "K1-0001")
    assert verify_token(key, token)
    assert not verify_token(store_key(MASTER, "north"), token)
    assert store_key(MASTER, "demo") != store_key(b"other secret", "demo")
    url = receipt_url("https://shop.example/", token)
    assert url == f"https://shop.example/r/{token}"
    assert sale_id_from(url) == "K1-0001"  # the return desk reads the new QR too


@given(st.integers(min_value=0, max_value=200), st.characters(codec="ascii"))
def test_any_altered_character_fails(pos: int, char: str) -> None:
    key = store_key(MASTER, "demo")
    token = make_token(key, "demo", "S-42")
    i = pos % len(token)
    altered = token[:i] + char + token[i + 1 :]
    if altered != token:
        assert not (read_token(altered) is not None and verify_token(key, altered))


def test_malformed_tokens_are_refused() -> None:
    for junk in ("", ".", "abc", "a.b", "x" * 700, "e30." + "A" * 22, "W10." + "A" * 22):
        assert read_token(junk) is None
