"""Targeted retries: a curved code flattened again, and retries kept within their time share."""

from __future__ import annotations

import itertools
import math
import random

import cv2
import numpy as np

from kiosk.scanner.decoders import decode_pyzbar, decode_zxing
from kiosk.scanner.imaging import unwarp_cylinder
from kiosk.scanner.pipeline import decode_frame
from kiosk.scanner.testing import random_label, render_symbol


def on_cylinder(flat: np.ndarray, half_arc_deg: float) -> tuple[np.ndarray, float]:  # type: ignore[type-arg]
    """``flat`` as seen printed round a cylinder: arc s appears at R·sin(s/R)."""
    h, w = flat.shape
    phi = math.radians(half_arc_deg)
    radius = (w / 2) / phi
    seen_w = 2 * radius * math.sin(phi)
    x = np.arange(int(seen_w), dtype=np.float32) - seen_w / 2
    s = radius * np.arcsin(np.clip(x / radius, -1, 1)) + w / 2
    map_x = np.tile(s.astype(np.float32), (h, 1))
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], len(x), axis=1)
    seen = cv2.remap(flat, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(seen, np.uint8), seen_w


def test_unwarp_reads_strongly_curved_codes_neither_decoder_reads_as_seen() -> None:
    as_seen = flattened = 0
    for seed in range(6):
        label = random_label(random.Random(seed), "ean13")
        flat = render_symbol(label, module_px=2)
        flat = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY) if flat.ndim == 3 else flat
        seen, width = on_cylinder(np.asarray(flat, np.uint8), 65.0)
        framed = np.asarray(cv2.copyMakeBorder(seen, 20, 20, 30, 30, cv2.BORDER_REPLICATE))
        as_seen += bool(decode_zxing(framed) or decode_pyzbar(framed))
        unwarped = unwarp_cylinder(framed, width, 55.0)  # the guess need not be exact
        assert unwarped.shape[1] > framed.shape[1]  # the crowded edges spread out again
        flattened += label.content in {s.text for s in decode_pyzbar(unwarped)}
    assert as_seen == 0
    assert flattened >= 5


def test_retry_share_stops_retries_after_that_share_of_the_first_pass() -> None:
    ticks = itertools.count()
    frame = np.random.default_rng(3).integers(0, 255, (720, 1280), dtype=np.uint8)

    def clock() -> float:  # every call is 1 ms later: time is counted in calls
        return next(ticks) / 1000.0

    decode_frame(frame, budget_ms=10_000.0, retry_share=1.0, clock=clock)
    bounded = next(ticks)
    ticks = itertools.count()
    decode_frame(frame, budget_ms=10_000.0, clock=clock)
    unbounded = next(ticks)
    assert bounded < unbounded
