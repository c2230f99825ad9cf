"""Golden bytes of full receipts (python-escpos Dummy output) and CJK rendering modes.

Regenerate after an intended change: ``UPDATE_GOLDEN=1 pytest tests/kiosk/printer`` and
review the diff of the .bin files (``xxd``) before committing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from kiosk.printer.exceptions import FontMissing
from kiosk.printer.receipt import Receipt, layout
from kiosk.printer.render import Renderer, RenderSettings, find_font

GOLDEN = Path(__file__).parent / "golden"
QR_NATIVE_STORE = b"\x1d(k"  # GS ( k: the printer draws the QR itself
RASTER = b"\x1dv0"  # GS v 0: raster bit image
FULL_CUT = b"\x1dV\x00"


def _check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert data == path.read_bytes()


@pytest.mark.parametrize(
    ("profile", "width"), [("TM-T88V", 42), ("TM-T20II", 48), ("NT-5890K", 32)]
)
def test_english_receipt_golden_bytes(en_receipt: Receipt, profile: str, width: int) -> None:
    renderer = Renderer(RenderSettings(profile=profile))
    assert renderer.width_chars == width
    data = renderer.render(layout(en_receipt, width))
    _check_golden(f"receipt_en_{profile}.bin", data)
    assert data.startswith(b"\x1b@")
    for text in (b"SmartStore Demo", b"15% off drinks", b"-1.59", b"Change", b"29.70"):
        assert text in data
    assert b"138****5678" in data
    assert b"Points earned" in data
    assert b"incl. tax 13%" in data
    feed_then_cut = b"\x1bd\x06" + (FULL_CUT if profile != "NT-5890K" else b"")
    assert data.endswith(feed_then_cut)  # the 58 mm profile has no cutter
    if renderer.qr_native:
        assert QR_NATIVE_STORE + b"1\x00" in data or QR_NATIVE_STORE in data
        assert en_receipt.qr_url is not None
        assert en_receipt.qr_url.encode() in data
    else:  # 58 mm profile without native QR: the QR goes as an image
        assert RASTER in data


def test_chinese_receipt_golden_bytes_gb18030(zh_receipt: Receipt) -> None:
    renderer = Renderer(RenderSettings(profile="TM-T88V", cjk="gb18030"))
    data = renderer.render(layout(zh_receipt, 42))
    _check_golden("receipt_zh_gb18030_TM-T88V.bin", data)
    assert data.startswith(b"\x1b@\x1c&")  # init, then Chinese character mode
    for text in ("智慧便利店", "饮料85折", "合计", "找零", "积分余额", "谢谢惠顾"):
        assert text.encode("gb18030") in data
    assert RASTER not in data  # all text, no images


def test_chinese_receipt_as_images_when_the_printer_has_no_gb18030(zh_receipt: Receipt) -> None:
    find_font(None)  # this machine has a CJK font (fonts-droid-fallback); else the test is moot
    renderer = Renderer(RenderSettings(profile="TM-T88V", cjk="image"))
    data = renderer.render(layout(zh_receipt, 42))
    assert "合计".encode("gb18030") not in data
    assert "合计".encode() not in data
    assert data.count(RASTER) >= 10  # one image per line holding CJK
    # width of each raster image: the paper, 512 dots = 64 bytes
    at = data.index(RASTER)
    assert data[at + 4 : at + 6] == (64).to_bytes(2, "little")
    # lines without CJK stay text
    assert b"  3 x 3.50" in data
    assert b"  0.455 kg x 9.98/kg" in data


def test_cjk_image_has_ink_where_the_text_is() -> None:
    from kiosk.printer.receipt import Text

    renderer = Renderer(RenderSettings(cjk="image"))
    font = renderer._load_font()
    assert font is not None
    image = renderer._draw(Text("合计 12.30", "left"), font)
    assert image.width == renderer.paper_px
    left_half = image.crop((0, 0, image.width // 4, image.height))
    right_part = image.crop((image.width // 2, 0, image.width, image.height))
    assert left_half.getextrema()[0] == 0  # black pixels where the text is
    assert right_part.getextrema() == (1, 1) or right_part.getextrema() == (255, 255)


def test_missing_font_falls_back_to_question_marks_and_logs(
    zh_receipt: Receipt, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = RenderSettings(cjk="image", font_path=tmp_path / "nope.ttf")
    with caplog.at_level(logging.WARNING):
        data = Renderer(settings).render(layout(zh_receipt, 42))
    assert RASTER not in data[: data.index(b"\x1d(k")]  # no text images, only the QR later
    assert b"????" in data
    assert "CJK" in caplog.text
    with pytest.raises(FontMissing):
        find_font(tmp_path / "nope.ttf")
    with pytest.raises(FontMissing):
        find_font(None, candidates=[str(tmp_path / "none.ttc")])


def test_forced_image_qr_and_no_cut(en_receipt: Receipt) -> None:
    renderer = Renderer(RenderSettings(qr_native=False, cut=False))
    data = renderer.render(layout(en_receipt, 42))
    assert QR_NATIVE_STORE not in data
    assert RASTER in data
    assert FULL_CUT not in data


def test_control_characters_in_names_cannot_inject_commands(en_receipt: Receipt) -> None:
    line = en_receipt.lines[0].model_copy(update={"name": "Evil\x1dV\x00cut\x1b@"})
    receipt = en_receipt.model_copy(update={"lines": (line,)})
    data = Renderer(RenderSettings(qr_native=False, cut=False)).render(layout(receipt, 42))
    assert b"\x1dV" not in data
    assert b"Evil V cut @" in data or b"Evil" in data
