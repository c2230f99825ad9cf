"""A short retail read stands only when a second read backs it; disagreement still refuses."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner import pipeline
from kiosk.scanner.decoders import DecodedSymbol, decode_pyzbar, decode_zxing
from kiosk.scanner.imaging import stretch
from kiosk.scanner.pipeline import decode_frame
from kiosk.scanner.quiet_zone import cut_off
from kiosk.scanner.second_read import backers, region, second_read
from kiosk.scanner.testing import random_label, render_frame, render_symbol

UPCE = "01234565"  # a valid UPC-E (GS1 example): 012345000065
EAN13 = "4006381333931"


def noise(seed: int = 5) -> np.ndarray:  # type: ignore[type-arg]
    return np.random.default_rng(seed).integers(0, 255, (240, 320), dtype=np.uint8)


def read(
    text: str,
    symbology: str,
    decoder: str = "zxing",
    box: tuple[int, int, int, int] = (60, 80, 200, 120),
) -> DecodedSymbol:
    return DecodedSymbol(text=text, symbology=symbology, decoder=decoder, box=box)


def ean8_image() -> tuple[np.ndarray, str]:  # type: ignore[type-arg]
    label = random_label(random.Random(4), "ean8")
    symbol = render_symbol(label, module_px=2)
    gray = cv2.cvtColor(symbol, cv2.COLOR_BGR2GRAY) if symbol.ndim == 3 else symbol
    framed = cv2.copyMakeBorder(gray, 40, 40, 60, 60, cv2.BORDER_CONSTANT, value=255)
    return np.asarray(framed, np.uint8), label.content


@pytest.mark.parametrize("decoder", ["zxing", "pyzbar"])
def test_a_lone_short_read_nothing_reads_again_is_dropped(decoder: str) -> None:
    datamatrix = DecodedSymbol("(01)09506000134352", "datamatrix", decoder)
    assert second_read(noise(), [read(UPCE, "upce", decoder), datamatrix]) == [datamatrix]


def test_a_real_short_code_is_read_again_and_kept() -> None:
    image, content = ean8_image()
    found = decode_zxing(image)
    assert [s.text for s in found] == [content]
    again = second_read(image, found)
    assert again[0] == found[0]
    assert {s.text for s in again} == {content}


def test_a_short_read_the_other_decoder_shares_needs_no_reread() -> None:
    both = [read(UPCE, "upce"), read("012345000065", "upca", "pyzbar")]
    assert second_read(noise(), both) == both


def test_long_reads_two_views_made_and_disagreements_are_left_to_screen() -> None:
    long_read = [read(EAN13, "ean13"), read(EAN13, "ean13", "pyzbar")]
    assert second_read(noise(), long_read) == long_read
    lone = [read(EAN13, "ean13")]
    assert second_read(noise(), lone) == []  # one view alone, nothing reads it again (0262)
    disagreeing = [read(EAN13, "ean13"), read(UPCE, "upce", "pyzbar")]
    assert second_read(noise(), disagreeing) == disagreeing  # the short one still refuses


def test_the_pipeline_drops_a_whole_frame_upce_misread(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = np.full((720, 1280), 128, np.uint8)
    frame[300:420, 400:900] = noise(9)[:120, :].repeat(2, axis=1)[:, :500]
    misread = read(UPCE, "upce", box=(420, 330, 880, 390))
    real_zxing = pipeline.decode_zxing

    def zxing_misreads_the_frame(gray: np.ndarray, *args: object, **kw: object) -> list:  # type: ignore[type-arg]
        return [misread] if gray.shape == frame.shape and not args and not kw else []

    monkeypatch.setattr(pipeline, "decode_zxing", zxing_misreads_the_frame)
    assert real_zxing(frame) == []
    assert decode_frame(frame, budget_ms=10_000.0) == []


def test_on_a_processed_image_only_the_unprocessed_source_backs_a_short_read() -> None:
    """Both decoders can misread a sharpening or upscaling artefact alike."""
    both = [read(UPCE, "upce"), read(UPCE, "upce", "pyzbar")]
    assert second_read(noise(), both, source=noise(6)) == []
    image, content = ean8_image()
    found = decode_zxing(image)
    assert content in {s.text for s in second_read(noise(), found, source=image)}


def test_a_short_read_with_a_second_read_ends_the_search(monkeypatch: pytest.MonkeyPatch) -> None:
    label = random_label(random.Random(8), "ean8")
    frame = render_frame(label, "clean", random.Random(8))
    stages: list[str] = []
    real = pipeline._stages

    def recorded(*args: object) -> list[tuple[str, object]]:
        return [(name, _record(stages, name, run)) for name, run in real(*args)]  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_stages", recorded)
    assert label.content in {s.text for s in decode_frame(frame, budget_ms=10_000.0)}
    assert "regions-deep" not in stages  # was: every stage, looking for a longer code


def _record(stages: list[str], name: str, run: Callable[[], object]) -> Callable[[], object]:
    def wrapped() -> object:
        stages.append(name)
        return run()

    return wrapped


def test_on_a_processed_image_a_long_read_one_decoder_made_needs_the_source_too() -> None:
    """pyzbar alone read a wrong EAN-13 on an upscaled, sharpened crop (made set)."""
    lone = [read(EAN13, "ean13", "pyzbar")]
    assert second_read(noise(), lone, source=noise(6)) == []
    both = [read(EAN13, "ean13"), read(EAN13, "ean13", "pyzbar")]
    assert second_read(noise(), both, source=noise(6)) == both
    assert second_read(noise(), lone) == []  # one view alone needs another (0262)


def test_a_short_read_one_decoder_confirmed_waits_for_the_whole_frame_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zxing-cpp reads a UPC-E inside half a damaged EAN-13 at every scale of a crop."""
    inside = [read(UPCE, "upce"), DecodedSymbol(UPCE, "upce", "zxing", "second-read")]
    whole = [read(EAN13, "ean13"), read(EAN13, "ean13", "pyzbar")]
    monkeypatch.setattr(pipeline, "decode_regions", lambda *args, **kw: list(inside))
    monkeypatch.setattr(pipeline, "_first_pass", lambda *args: list(whole))
    found = decode_frame(np.full((720, 1280), 128, np.uint8), budget_ms=10_000.0)
    assert {(s.text, s.symbology) for s in found} == {(EAN13, "ean13")}


DATA = Path(__file__).parent / "data"


def crop_reads(name: str) -> tuple[np.ndarray, list[DecodedSymbol]]:  # type: ignore[type-arg]
    """A held-out photo's region crop, read as the quick stage ``crop`` reads it."""
    crop = cv2.imread(str(DATA / f"{name}.png"), cv2.IMREAD_GRAYSCALE)
    image = stretch(np.asarray(crop, np.uint8))
    found = decode_zxing(image, "crop", fixed_threshold=True)
    return image, found + decode_pyzbar(image, "crop")


def test_a_upce_read_in_half_an_ean13_cut_by_its_crop_is_dropped() -> None:
    """Held-out dev seed 18 ean13#25: the crop ends 1.7 modules past the UPC-E's end guard;
    zxing-cpp read it again rescaled, which "confirmed" it (accepted before 0262)."""
    image, found = crop_reads("upce_in_half_an_ean13")
    assert [(s.symbology, s.text, s.decoder) for s in found] == [
        ("upce", "0176511000096", "zxing")
    ]  # the shape of the misread (its digits do not occur in the EAN-13 6765119727869)
    assert cut_off(found[0], image.shape)
    assert decode_zxing(region(image, found[0]), "x")  # zxing-cpp alone would confirm it
    assert second_read(image, found) == []


def test_an_ean13_only_a_fixed_threshold_read_is_dropped() -> None:
    """Held-out dev seed 16 upca#16 (truth UPC-A 948206084380): zxing-cpp read a valid EAN-13
    with two wrong digits on the stretched crop at a fixed threshold, nothing else read it,
    and as a long read it needed no second read (accepted before 0262)."""
    image, found = crop_reads("ean13_two_digits_fixed_threshold")
    assert [(s.symbology, s.text, s.binarizer) for s in found] == [
        ("ean13", "0922206084380", "fixed")
    ]
    assert second_read(image, found) == []


def test_a_real_long_code_read_at_a_fixed_threshold_is_kept() -> None:
    label = random_label(random.Random(3), "ean13")
    symbol = render_symbol(label, module_px=2)
    gray = cv2.cvtColor(symbol, cv2.COLOR_BGR2GRAY) if symbol.ndim == 3 else symbol
    image = stretch(cv2.copyMakeBorder(gray, 40, 40, 60, 60, cv2.BORDER_CONSTANT, value=255))
    found = decode_zxing(image, "crop", fixed_threshold=True)
    assert [s.text for s in found] == [label.content]
    again = second_read(image, found)
    assert label.content in {s.text for s in again}
    assert {s.binarizer for s in again if s.decoder == "zxing"} != {"fixed"}  # other binarizer


def test_a_cut_off_short_read_needs_the_other_decoder() -> None:
    cut = DecodedSymbol(UPCE, "upce", "zxing", line=(70.5, 22.5, 70.5, 97.5))
    assert backers([cut], (100, 148)) == {"pyzbar"}
    whole = DecodedSymbol(UPCE, "upce", "zxing", line=(40.0, 50.0, 142.0, 50.0))
    assert backers([whole], (100, 183)) == {"local", "fixed", "pyzbar"}
    fixed = DecodedSymbol(
        EAN13, "ean13", "zxing", line=(40.0, 50.0, 230.0, 50.0), binarizer="fixed"
    )
    assert backers([fixed], (100, 300)) == {"local", "pyzbar"}


def test_a_real_short_code_cut_tight_is_confirmed_by_the_other_decoder() -> None:
    """A crop cut at the bars (no quiet zone in view) is not refused for that alone."""
    image, content = ean8_image()
    dark = np.where((image < 128).any(axis=0))[0]
    tight = np.ascontiguousarray(image[:, dark[0] : dark[-1] + 1])
    found = decode_zxing(tight)
    assert [s.text for s in found] == [content]
    assert cut_off(found[0], tight.shape)
    again = second_read(tight, found)
    assert [s.decoder for s in again] == ["zxing", "pyzbar"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["upce", "ean8", "ean13", "upca"]),
            st.sampled_from(["local", "fixed"]),
            st.floats(0, 147),
            st.floats(0, 99),
            st.floats(-140, 140),
            st.floats(-90, 90),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_no_read_is_backed_by_the_view_that_alone_made_it(
    specs: list[tuple[str, str, float, float, float, float]],
) -> None:
    """Reads of one code by zxing-cpp: the binarizer that alone made them never confirms a
    long code, nor a short one it read at a fixed threshold; and when the image's edge cut
    every short one off, zxing-cpp never does."""
    reads = [
        DecodedSymbol(UPCE, sym, "zxing", line=(x, y, x + dx, y + dy), binarizer=binarizer)
        for sym, binarizer, x, y, dx, dy in specs
    ]
    allowed = backers(reads, (100, 148))
    all_short = all(s.symbology in {"upce", "ean8"} for s in reads)
    views = {s.binarizer for s in reads}
    if len(views) == 1 and (not all_short or views == {"fixed"}):
        assert not views & allowed
    if all_short and all(cut_off(s, (100, 148)) for s in reads):
        assert allowed == {"pyzbar"}
    assert "pyzbar" in allowed  # the other decoder may always confirm


def test_a_long_read_one_view_alone_made_needs_another_view() -> None:
    """Held-out seed 32 upca#9 (never-seen seeds 30–34, accepted at 0262's first commit):
    zxing-cpp's local binarizer read UPC-A 031127925488 as EAN-13 0031121985488 on the crop
    as cut (and on the whole frame); pyzbar read nothing; rescaled, zxing-cpp repeats it."""
    crop = cv2.imread(str(DATA / "upca_as_ean13_local_binarizer.png"), cv2.IMREAD_GRAYSCALE)
    image = np.asarray(crop, np.uint8)
    found = decode_zxing(image, "crop-local") + decode_pyzbar(image, "crop-local")
    assert [(s.symbology, s.text, s.binarizer) for s in found] == [
        ("ean13", "0031121985488", "local")
    ]
    assert backers(found, image.shape) == {"fixed", "pyzbar"}
    assert second_read(image, found) == []
