"""Accepting camera reads: confirm across frames, debounce repeats, rescan once the code left view.

Pure (the caller passes the time). Under blur a decoder misreads ~1% of frames, sometimes
the same wrong value twice, so a code counts only after ``confirm_frames`` frames within
``confirm_window_s`` agree (the service also requires it in the price book). A code that
stays in view is accepted once (a shopper holding a carton must not pay twice) unless
``debounce_s`` is set, which re-accepts it after that long (hold-to-repeat); one unseen for
``left_view_s`` has left the view, and showing it again is a new scan (a second can of soup).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class _Track:
    sightings: deque[float] = field(default_factory=deque)
    last_seen: float = 0.0
    accepted_at: float | None = None


class Confirmer:
    """Turns per-frame reads into accepted scans."""

    def __init__(
        self,
        confirm_frames: int = 2,
        confirm_window_s: float = 1.0,
        debounce_s: float | None = None,
        left_view_s: float = 0.4,
    ) -> None:
        self.confirm_frames = max(1, confirm_frames)
        self.confirm_window_s = confirm_window_s
        self.debounce_s = debounce_s
        self.left_view_s = left_view_s
        self._tracks: dict[str, _Track] = {}

    def observe(self, now: float, keys: Iterable[str]) -> list[str]:
        """Record one frame's reads at ``now``; return the keys accepted by this frame."""
        accepted: list[str] = []
        for key in dict.fromkeys(keys):
            track = self._tracks.get(key)
            if track is None or now - track.last_seen > self.left_view_s:
                track = _Track()  # new, or back after leaving the view: a fresh scan
                self._tracks[key] = track
            track.last_seen = now
            track.sightings.append(now)
            while track.sightings and now - track.sightings[0] > self.confirm_window_s:
                track.sightings.popleft()
            if track.accepted_at is not None and (
                self.debounce_s is None or now - track.accepted_at < self.debounce_s
            ):
                continue
            if len(track.sightings) >= self.confirm_frames:
                track.accepted_at = now
                track.sightings.clear()
                accepted.append(key)
        self._forget(now)
        return accepted

    def _forget(self, now: float) -> None:
        horizon = max(self.left_view_s, self.confirm_window_s, self.debounce_s or 0.0)
        stale = [k for k, t in self._tracks.items() if now - t.last_seen > horizon]
        for key in stale:
            del self._tracks[key]
