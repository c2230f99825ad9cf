"""Whether a read's quiet zone lies inside the image, or the image's edge stood in for it.

A UPC/EAN symbol ends in a quiet zone (7–9 modules of light). Decoders take the end of the
image as light, so a crop that cuts a longer code across its bars can leave a piece that
looks whole: on held-out dev seed 18 (ean13#25) zxing-cpp read a valid UPC-E across half of
an EAN-13 whose crop ended 1.7 modules past the UPC-E's end guard, and read it again at every
scale of that crop. Re-reads of the same cut pixels repeat the illusion, so such a read needs
the other decoder (``second_read``). Pure geometry on the read's scan line.
"""

from __future__ import annotations

import math

from kiosk.scanner.decoders import DecodedSymbol

MODULES = {"upce": 51, "ean8": 67, "ean13": 95, "upca": 95}
"""Modules from the first bar of the start guard to the last bar of the end guard."""
QUIET_MODULES = 5.0
"""Fewer modules than this between either end of a read and the image's edge: cut off.
Below the standard's 7 (UPC-E's left zone is 9): region crops are cut tight around the bars."""


def room(symbol: DecodedSymbol, shape: tuple[int, ...]) -> float | None:
    """Modules between the read's nearer end and the image's edge, along its scan line.

    None when unknown: no scan line (pyzbar), a symbology without a module count, or a
    degenerate line."""
    modules = MODULES.get(symbol.symbology)
    if symbol.line is None or modules is None:
        return None
    x0, y0, x1, y1 = symbol.line
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1.0:
        return None
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    height, width = shape[0], shape[1]
    ahead = _to_edge(x1, y1, ux, uy, width, height)
    behind = _to_edge(x0, y0, -ux, -uy, width, height)
    return min(ahead, behind) / (length / modules)


def cut_off(symbol: DecodedSymbol, shape: tuple[int, ...]) -> bool:
    """Whether the image's edge may have stood in for the read's quiet zone."""
    left = room(symbol, shape)
    return left is not None and left < QUIET_MODULES


def _to_edge(x: float, y: float, ux: float, uy: float, width: int, height: int) -> float:
    """Distance from (x, y) along the unit vector (ux, uy) to the image's edge (0 if outside)."""
    steps = [math.inf]
    if ux > 1e-9:
        steps.append((width - 1 - x) / ux)
    elif ux < -1e-9:
        steps.append(x / -ux)
    if uy > 1e-9:
        steps.append((height - 1 - y) / uy)
    elif uy < -1e-9:
        steps.append(y / -uy)
    return max(0.0, min(steps))
