"""The decode pipeline: a cheap first pass, then targeted retries, under a time budget.

Stage order, from the profile of the photo-like set (``python -m bench.scan_stages``; figures
in docs/BENCHMARKS.md, reasons in docs/decisions/0245-scan-retries.md):

1. ``regions-quick``: the barcode-like regions (edge density, half-size frame) cut out
   upright, zxing-cpp on each crop as cut and contrast-stretched: ~1 ms a crop.
2. ``zxing``: zxing-cpp on the whole frame (or ROI), default binarizer: the same call as
   zxing-cpp alone; a retail read is cross-checked by pyzbar on its box.
3. ``regions-deep``: the crops again, CLAHE, unwarped cylinders, pyzbar, upscaled.
4. ``zxing-fixed``: the contrast-stretched frame at a fixed threshold (decision 0040).
5. ``pyzbar`` on the whole frame, only with a third of the budget (and ``PYZBAR_COST``
   whole-frame passes) left: it costs ~3× stage 2.
6. ``bar-fit``: a model-based EAN/UPC reader for 1.0–1.4 px modules (``bar_fit``), on
   fine-bar regions and the crops; it reports a code only when each half of the bars reads
   it alone (decision 0267). It costs ~3–4 whole-frame passes, so with ``retry_share`` set
   (the camera) it runs only when ``fit_share`` grants it that much more; without (still
   images, the CLI) it runs within ``budget_ms``.

Every result passes ``verify.screen``: checksum and symbology checked, disagreeing retail
reads refused; a short retail read (UPC-E, EAN-8) that only one decoder made stands only if a
re-read of its region confirms it (``second_read``, decision 0259), and so does any read
one decoder made through one binarizer only, by another; a short read whose quiet zone the
image's edge cut off only by the other decoder (decision 0262). In a defocused region the
last such view is pyzbar on it sharpened (``defocus``, decision 0264). With ``retry_share`` set
(the camera), a frame may cost at most (1 + ``retry_share``) × its own whole-frame zxing-cpp
pass, which keeps the live loop at frame rate on any machine; most frames are read by the
first pass, so the median stays within 2× zxing-cpp alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from kiosk.scanner import bar_fit
from kiosk.scanner.config import DecoderName, Roi
from kiosk.scanner.decoders import DecodedSymbol, decode_pyzbar, decode_zxing, load_pyzbar
from kiosk.scanner.imaging import MAX_CANDIDATES, Region, find_regions, stretch, to_gray
from kiosk.scanner.retries import DEEP, QUICK, Crops, cross_check, decode_regions
from kiosk.scanner.second_read import second_read
from kiosk.scanner.verify import SHORT, agreed, screen

log = logging.getLogger(__name__)

DEFAULT_DECODERS: tuple[DecoderName, ...] = ("zxing", "pyzbar")
FIRST_PASS = frozenset({"regions-quick", "zxing"})
"""Stages that run whatever the budget says: the pipeline never reads less than zxing-cpp."""
QUICK_MAX_SHARE = 0.15
"""The quick crop pass skips crops over this share of the frame (noise, texture)."""
PYZBAR_COST = 4.0
"""Whole-frame pyzbar runs only if this many first passes still fit before the deadline."""
FIT_COST = 2.0
"""``bar-fit`` starts only with this many whole-frame passes left before its deadline: its
finder and the first half of a region cost about that, and it checks the clock only
between halves (decision 0267)."""

__all__ = ["MAX_CANDIDATES", "Region", "decode_frame", "find_regions", "to_gray"]


def decode_frame(
    frame: npt.NDArray[np.uint8],
    decoders: Sequence[DecoderName] = DEFAULT_DECODERS,
    *,
    roi: Roi | None = None,
    budget_ms: float = 40.0,
    retry_share: float | None = None,
    fit_share: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[DecodedSymbol]:
    """Every symbol the pipeline finds in ``frame``; empty when none (never raises on pixels).

    Stages after the first run while nothing was found (a short UPC-E/EAN-8 read counts only
    with a second read behind it, ``second_read``), before ``budget_ms`` and, when
    ``retry_share`` is set, before the frame has cost (1 + ``retry_share``) × its
    whole-frame zxing-cpp pass. ``bar-fit`` (last) runs until ``budget_ms``, but with
    ``retry_share`` set only when ``fit_share`` is too, until (1 + ``retry_share`` +
    ``fit_share``) × that pass.
    """
    start = clock()
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim not in (2, 3):
        log.debug("frame rejected: not an 8-bit image")
        return []
    try:
        gray = to_gray(frame, roi)
    except Exception as exc:  # cv2.error on odd channel counts
        log.debug("frame rejected: %s", exc)
        return []
    if gray.ndim != 2 or min(gray.shape) < 8:
        return []
    use_zxing = "zxing" in decoders
    use_pyzbar = "pyzbar" in decoders and load_pyzbar() is not None
    limit = start + budget_ms / 1000.0
    deadline = limit
    whole_pass = budget_ms / 1000.0  # until the whole-frame zxing-cpp pass was timed

    fit_deadline = limit if retry_share is None or fit_share is not None else start

    def expired() -> bool:
        return clock() > deadline

    def fit_expired() -> bool:
        return clock() > fit_deadline

    found: list[DecodedSymbol] = []
    contested = False
    stages = _stages(gray, use_zxing, use_pyzbar, expired, fit_expired)
    for index, (name, run) in enumerate(stages):
        now = clock()
        if name not in FIRST_PASS and now > (fit_deadline if name == "bar-fit" else deadline):
            continue  # the retries' share is spent; bar-fit has its own
        pyzbar_late = limit - now < budget_ms / 3000.0 or deadline - now < PYZBAR_COST * whole_pass
        if name == "pyzbar" and index > 0 and pyzbar_late:
            continue
        if name == "bar-fit" and fit_deadline - now < FIT_COST * whole_pass:
            continue
        try:
            reads = run()
        except Exception as exc:  # a decoder choking on odd pixels must not stop scanning
            log.debug("stage %s failed: %s", name, exc)
            continue
        if name == "zxing":
            whole_pass = max(clock() - now, 1e-4)
            if retry_share is not None:
                deadline = min(limit, start + (1.0 + retry_share) * whole_pass)
                if fit_share is not None:
                    fit_deadline = min(limit, start + (1.0 + retry_share + fit_share) * whole_pass)
        found += agreed(reads) if contested else reads
        kept, refused = screen(found)
        if refused and contested:
            return _unique(kept)
        if refused:
            # Decoders disagreed: neither read is taken. Later stages may still settle it,
            # but only with a code both decoders read in the same stage (never a guess).
            contested, found = True, kept
            continue
        first_pass_done = name == "zxing" or name not in FIRST_PASS
        if kept and (first_pass_done or _settled(kept)):
            return _unique(kept)
    return _unique(screen(found).kept)


Stage = tuple[str, Callable[[], list[DecodedSymbol]]]


def _stages(
    gray: npt.NDArray[np.uint8],
    use_zxing: bool,
    use_pyzbar: bool,
    expired: Callable[[], bool],
    fit_expired: Callable[[], bool],
) -> list[Stage]:
    crops = Crops(gray)
    stages: list[Stage] = []
    if use_zxing:
        # Bounded (≤ MAX_CANDIDATES small crops × 2 tries, ~1 ms each): never cut by the budget.
        quick = (
            "regions-quick",
            lambda: decode_regions(crops, QUICK, True, use_pyzbar, never, QUICK_MAX_SHARE),
        )
        stages.append(quick)
        stages.append(("zxing", lambda: _first_pass(gray, use_pyzbar)))
    deep = DEEP if use_zxing else QUICK + DEEP
    stages.append(
        ("regions-deep", lambda: decode_regions(crops, deep, use_zxing, use_pyzbar, expired))
    )
    if use_zxing:
        stages.append(("zxing-fixed", lambda: _fixed_pass(gray)))
    if use_pyzbar:
        stages.append(("pyzbar", lambda: second_read(gray, decode_pyzbar(gray))))
    if use_zxing:
        # Its reads are confirmed within: two disjoint halves of the bars must each read
        # the code (two views), so no second_read (which knows only the two decoders).
        stages.append(("bar-fit", lambda: bar_fit.read_frame(gray, crops.regions, fit_expired)))
    return stages


def _settled(kept: list[DecodedSymbol]) -> bool:
    """Whether reads made before the whole-frame pass end the search: a long code, or a short
    (UPC-E, EAN-8) code both decoders made.

    A short read one decoder's own re-read confirmed waits for the whole-frame pass: zxing-cpp
    reads the same UPC-E inside half a damaged EAN-13 at every scale (held-out dev seeds 16,
    18), and its whole-frame read of the EAN-13 then drops it (``verify.screen``)."""
    short = {s.decoder for s in kept if s.symbology in SHORT}
    return any(s.symbology not in SHORT for s in kept) or len(short) >= 2


def never() -> bool:
    return False


def _first_pass(gray: npt.NDArray[np.uint8], use_pyzbar: bool) -> list[DecodedSymbol]:
    found = decode_zxing(gray)
    return second_read(gray, found + cross_check(gray, found) if use_pyzbar else found)


def _fixed_pass(gray: npt.NDArray[np.uint8]) -> list[DecodedSymbol]:
    stretched = stretch(gray)
    return second_read(stretched, decode_zxing(stretched, fixed_threshold=True))


def _unique(symbols: list[DecodedSymbol]) -> list[DecodedSymbol]:
    seen: set[tuple[str, str]] = set()
    out: list[DecodedSymbol] = []
    for symbol in symbols:
        key = (symbol.text, symbol.symbology)
        if key not in seen:
            seen.add(key)
            out.append(symbol)
    return out
