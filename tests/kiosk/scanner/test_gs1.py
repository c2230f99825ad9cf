"""GS1 interpretation: GTIN-14 normalisation, variable measure, expiry, payment codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner.config import Gs1Config
from kiosk.scanner.gs1 import AIM_BY_SYMBOLOGY, expired, interpret, payment_provider
from kiosk.scanner.testing import with_check_digit

PLAIN = Gs1Config()


@pytest.mark.parametrize(
    ("text", "symbology", "gtin"),
    [
        ("4006381333931", "ean13", "04006381333931"),
        ("96385074", "ean8", "00000096385074"),
        ("036000291452", "upca", "00036000291452"),  # pyzbar-style 12 digits
        ("0036000291452", "ean13", "00036000291452"),  # zxing-cpp reports UPC-A as EAN-13
        ("0012345000065", "upce", "00012345000065"),  # UPC-E expanded by the decoder
        ("]E04006381333931", "unknown", "04006381333931"),  # serial scanner with AIM prefix
        ("4006381333931", "unknown", "04006381333931"),  # bare number: a GTIN, not AI 400
        ("0109506000134352", "databar", "09506000134352"),
    ],
)
def test_retail_codes_normalise_to_gtin14(text: str, symbology: str, gtin: str) -> None:
    code = interpret(text, symbology, PLAIN)
    assert code.gtin == gtin
    assert code.payment_code is None
    assert not code.is_variable_measure


def test_bad_check_digit_is_not_a_product() -> None:
    code = interpret("4006381333932", "ean13", PLAIN)
    assert code.gtin is None
    assert code.error


def test_odoo_weight_and_price_rules() -> None:
    odoo = Gs1Config(rcn_region="odoo")
    weighed = interpret(with_check_digit("211234501250"), "ean13", odoo)
    assert weighed.is_variable_measure
    assert weighed.weight_kg == Decimal("1.25")
    assert weighed.gtin == "0" + with_check_digit("211234500000")
    assert weighed.label_gtin == "0" + with_check_digit("211234501250")
    priced = interpret(with_check_digit("231234500999"), "ean13", odoo)
    assert priced.price == Decimal("9.99")
    assert priced.gtin == "0" + with_check_digit("231234500000")


def test_swedish_weight_rule_through_biip() -> None:
    code = interpret(with_check_digit("230000001234"), "ean13", Gs1Config(rcn_region="se"))
    assert code.is_variable_measure
    assert code.weight_kg == Decimal("1.234")
    assert code.gtin == "0" + with_check_digit("230000000000")


def test_variable_measure_without_region_is_an_opaque_gtin() -> None:
    code = interpret(with_check_digit("211234501250"), "ean13", PLAIN)
    assert code.gtin == "0" + with_check_digit("211234501250")
    assert not code.is_variable_measure


def test_gs1_datamatrix_with_expiry_and_lot() -> None:
    text = "\x1d0109506000134352172412311" + "0ABC123"  # FNC1 first, AI 01, 17, 10
    code = interpret(text, "gs1_datamatrix", PLAIN)
    assert code.gtin == "09506000134352"
    assert code.expiry == date(2024, 12, 31)
    assert code.lot == "ABC123"
    assert expired(code, date(2025, 1, 1))
    assert not expired(code, date(2024, 12, 31))  # sells on the day itself


def test_gs1_datamatrix_lot_before_expiry_needs_group_separator() -> None:
    code = interpret("0109506000134352" + "10LOT7\x1d" + "17301231", "gs1_datamatrix", PLAIN)
    assert code.lot == "LOT7"
    assert code.expiry == date(2030, 12, 31)
    assert not expired(code, date(2026, 1, 1))


def test_digital_link_with_expiry_day_zero_is_end_of_month() -> None:
    code = interpret("https://id.gs1.org/01/09506000134352?17=200200", "qrcode", PLAIN)
    assert code.gtin == "09506000134352"
    assert code.expiry == date(2020, 2, 29)
    assert expired(code, date(2021, 1, 1))


def test_databar_expanded_net_weight() -> None:
    gtin = with_check_digit("9950600013435")
    code = interpret(f"01{gtin}3103001250", "databar_expanded", PLAIN)
    assert code.gtin == gtin  # a GS1 variable-measure GTIN is itself the lookup key
    assert code.weight_kg == Decimal("1.250")
    assert code.is_variable_measure  # indicator digit 9


@pytest.mark.parametrize(
    ("text", "provider"),
    [("134567890123456789", "wechat"), ("281234567890123456", "alipay")],
)
def test_payment_codes_are_not_products(text: str, provider: str) -> None:
    code = interpret(text, "qrcode", PLAIN)
    assert code.gtin is None
    assert code.payment_code == text
    assert code.payment_provider == provider


def test_payment_recognition_can_be_disabled_and_other_prefixes_ignored() -> None:
    assert (
        interpret("134567890123456789", "qrcode", Gs1Config(payment_codes=False)).payment_code
        is None
    )
    assert payment_provider("201234567890123456") is None
    assert payment_provider("13456789012345678") is None


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "]", "]E0", "\x00\x1d\x1d", "https://x", "9" * 5000]
)
def test_garbage_is_no_product(text: str) -> None:
    code = interpret(text, "unknown", PLAIN)
    assert code.gtin is None


@given(
    text=st.text(max_size=200),
    symbology=st.sampled_from([*AIM_BY_SYMBOLOGY, "unknown", "]x"]),
    region=st.sampled_from([None, "odoo", "se", "de", "gb", "dk"]),
)
def test_interpret_never_raises(text: str, symbology: str, region: str | None) -> None:
    code = interpret(text, symbology, Gs1Config(rcn_region=region))  # type: ignore[arg-type]
    assert code.gtin is None or (len(code.gtin) == 14 and code.gtin.isdigit())


@given(st.from_regex(r"\][A-Za-z][0-9][0-9\x1d]{0,40}", fullmatch=True))
def test_interpret_never_raises_on_aim_prefixed_digits(text: str) -> None:
    code = interpret(text, "unknown", Gs1Config(rcn_region="odoo"))
    assert code.gtin is None or len(code.gtin) == 14


@given(st.from_regex(r"[013-9][0-9]{11}", fullmatch=True))
def test_every_valid_ean13_maps_to_its_gtin14(payload: str) -> None:
    ean = with_check_digit(payload)
    code = interpret(ean, "ean13", PLAIN)
    if code.payment_code is None:
        assert code.gtin == "0" + ean


@given(st.from_regex(r"[0-9]{5}", fullmatch=True), st.integers(min_value=0, max_value=99999))
def test_odoo_weight_round_trip(item: str, grams: int) -> None:
    ean = with_check_digit(f"21{item}{grams:05d}")
    code = interpret(ean, "ean13", Gs1Config(rcn_region="odoo"))
    assert code.weight_kg == Decimal(grams) / 1000
    assert code.gtin == "0" + with_check_digit(f"21{item}00000")


def _upce_expansion(number_system: str, six: str) -> str:
    """The GS1 zero-suppression table (GS1 General Specifications 7.10), written from the
    table and not from biip: UPC-E ``n d1..d6`` → UPC-A payload of 11 digits."""
    d1, d2, d3, d4, d5, d6 = six
    if d6 in "012":
        body = f"{d1}{d2}{d6}0000{d3}{d4}{d5}"
    elif d6 == "3":
        body = f"{d1}{d2}{d3}00000{d4}{d5}"
    elif d6 == "4":
        body = f"{d1}{d2}{d3}{d4}00000{d5}"
    else:
        body = f"{d1}{d2}{d3}{d4}{d5}0000{d6}"
    return number_system + body


def test_upce_as_eight_digits_is_its_upc_a_not_a_gtin8() -> None:
    """Regression: zxing-cpp reports UPC-E unexpanded (``01234565``); it was read as the
    GTIN-8 ``00000001234565``, another product, beside the right ``00012345000065``."""
    code = interpret("01234565", "upce", PLAIN)
    assert code.gtin == "00012345000065"


@pytest.mark.parametrize("text", ["01234564", "21234565", "123456", "0123456"])
def test_upce_without_a_verifiable_check_digit_is_no_product(text: str) -> None:
    """A wrong check digit, a number system other than 0/1, or a form without the check
    digit: refused rather than guessed."""
    code = interpret(text, "upce", PLAIN)
    assert code.gtin is None
    assert code.error


@given(st.sampled_from("01"), st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_every_upce_maps_to_the_gtin14_of_its_upc_a(number_system: str, six: str) -> None:
    upca = with_check_digit(_upce_expansion(number_system, six))
    upce = number_system + six + upca[-1]  # UPC-E carries the UPC-A's check digit
    assert interpret(upce, "upce", PLAIN).gtin == "00" + upca
    # The same item read as UPC-A (12 digits) or zxing-cpp's EAN-13 form: one GTIN.
    assert interpret(upca, "upca", PLAIN).gtin == "00" + upca
    assert interpret("0" + upca, "ean13", PLAIN).gtin == "00" + upca
    wrong = upce[:-1] + str((int(upce[-1]) + 1) % 10)
    assert interpret(wrong, "upce", PLAIN).gtin is None
