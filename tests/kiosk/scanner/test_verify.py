"""Every retail read is checked; reads that disagree are refused, never guessed between."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner.decoders import DecodedSymbol
from kiosk.scanner.verify import agreed, check_digit_ok, retail_gtin, screen, upce_to_upca


def read(text: str, symbology: str = "ean13", decoder: str = "zxing") -> DecodedSymbol:
    return DecodedSymbol(text=text, symbology=symbology, decoder=decoder)


def with_check(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return payload + str(-total % 10)


def test_published_check_digits() -> None:
    assert check_digit_ok("4006381333931")
    assert check_digit_ok("96385074")
    assert not check_digit_ok("4006381333932")


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_a_changed_check_digit_is_refused(payload: str, delta: int) -> None:
    good = with_check(payload)
    bad = good[:-1] + str((int(good[-1]) + delta) % 10)
    assert retail_gtin(good, "ean13") == "0" + good
    assert retail_gtin(bad, "ean13") is None


def test_length_must_fit_the_symbology() -> None:
    assert retail_gtin("96385074", "ean13") is None
    assert retail_gtin("4006381333931", "ean8") is None
    assert retail_gtin("036000291452", "upca") == "00036000291452"
    assert retail_gtin("0036000291452", "upca") == "00036000291452"
    assert retail_gtin("4006381333931", "upca") is None  # 13 digits not starting 0
    assert retail_gtin("40063813339x1", "ean13") is None


def test_upce_is_checked_through_its_expansion() -> None:
    assert upce_to_upca("01234565") == "012345000065"
    assert retail_gtin("01234565", "upce") == "00012345000065"
    assert retail_gtin("01234566", "upce") is None  # wrong check digit
    assert retail_gtin("21234565", "upce") is None  # number system 2 has no UPC-E


def test_one_good_read_passes() -> None:
    assert screen([read("4006381333931")]) == ([read("4006381333931")], False)


def test_disagreeing_decoders_are_both_refused() -> None:
    kept, refused = screen(
        [read("4006381333931"), read(with_check("590123412345"), "ean13", "pyzbar")]
    )
    assert refused
    assert kept == []


def test_same_code_from_both_decoders_in_their_own_forms_agrees() -> None:
    both = [read("0036000291452", "ean13"), read("036000291452", "upca", "pyzbar")]
    assert screen(both) == (both, False)


def test_short_read_inside_a_long_one_is_dropped_not_refused() -> None:
    kept, refused = screen([read("4006381333931"), read("01234565", "upce")])
    assert not refused
    assert kept == [read("4006381333931")]


def test_a_short_read_from_the_other_decoder_disagrees() -> None:
    """Held-out photo set, seed 2 ean13#25: zxing-cpp misread an EAN-13 on a crop, pyzbar's
    cross-check of that crop answered a UPC-E; the short read was dropped and the wrong
    EAN-13 accepted."""
    wrong_long = read("2205265106117")
    opinion = read("01812611", "upce", "pyzbar")
    assert retail_gtin(wrong_long.text, "ean13") is not None  # its check digit holds
    assert screen([wrong_long, opinion]) == ([], True)


def test_non_retail_reads_are_untouched_by_a_refusal() -> None:
    qr = read("https://id.gs1.org/01/09506000134352", "qrcode")
    other = read(with_check("590123412345"), "ean13", "pyzbar")
    assert screen([qr, read("4006381333931"), other]) == ([qr], True)
    assert screen([qr, read("4006381333931"), read("96385074", "ean8")]) == (
        [qr, read("4006381333931")],
        False,
    )


def test_agreed_keeps_only_codes_both_decoders_read() -> None:
    one = read("4006381333931")
    other = read("4006381333931", decoder="pyzbar")
    datamatrix = read("(01)09506000134352", "datamatrix")
    assert agreed([one, other, datamatrix]) == [one, other, datamatrix]
    assert agreed([one, datamatrix]) == [datamatrix]


def test_agreement_beside_a_disagreeing_read_settles_nothing() -> None:
    """Both decoders misread a blurred UPC-E's top rows alike; zxing-cpp read its bottom right."""
    wrong = read("07242366", "upce"), read("07242366", "upce", "pyzbar")
    right = read("15942364", "upce")
    assert agreed([*wrong, right]) == []


@given(st.sampled_from("01"), st.from_regex(r"[0-9]{6}", fullmatch=True), st.integers(0, 9))
def test_upce_check_agrees_with_the_gs1_interpretation(ns: str, six: str, check: int) -> None:
    """verify's own UPC-E expansion and gs1.interpret (biip) accept exactly the same codes."""
    from kiosk.scanner.config import Gs1Config
    from kiosk.scanner.gs1 import interpret

    text = ns + six + str(check)
    assert retail_gtin(text, "upce") == interpret(text, "upce", Gs1Config()).gtin
