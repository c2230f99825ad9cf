"""When to re-send what the cloud has not acknowledged: an RFC 6298 style timer.

The cloud acks a node's events after it commits them (SPEC §4), a few ms to a few s after
the broker's PUBACK depending on its load. A fixed timeout either floods a slow cloud with
duplicates or leaves a lost event waiting; so, as TCP does, the timeout follows the observed
ack latency: ``RTO = SRTT + 4·RTTVAR`` within ``[minimum, maximum]``, doubled after every
round of re-sends (backoff) until a fresh sample arrives. Samples come only from rows sent
once (Karn's rule): the ack of a re-sent row does not say which copy it answers.
"""

from __future__ import annotations

from edge.config import OutboxSettings

_ALPHA = 1 / 8
_BETA = 1 / 4
_K = 4.0
_GRANULARITY_S = 0.05


class ResendTimer:
    """The re-send timeout; not thread-safe (the drain thread owns it)."""

    def __init__(self, initial: float, minimum: float, maximum: float) -> None:
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.rto = self._clamp(initial)
        self.backoffs = 0

    @classmethod
    def from_settings(cls, settings: OutboxSettings) -> ResendTimer:
        return cls(settings.ack_timeout, settings.ack_timeout_min, settings.ack_timeout_max)

    def _clamp(self, value: float) -> float:
        return min(self.maximum, max(self.minimum, value))

    def sample(self, latency_s: float) -> None:
        """An ack latency measured on a row sent once: recompute the timeout, end backoff."""
        r = max(0.0, latency_s)
        if self.srtt is None:
            self.srtt, self.rttvar = r, r / 2
        else:
            self.rttvar = (1 - _BETA) * self.rttvar + _BETA * abs(self.srtt - r)
            self.srtt = (1 - _ALPHA) * self.srtt + _ALPHA * r
        self.rto = self._clamp(self.srtt + max(_GRANULARITY_S, _K * self.rttvar))
        self.backoffs = 0

    def backoff(self) -> None:
        """A round of re-sends went out: wait twice as long before the next one."""
        self.rto = self._clamp(self.rto * 2)
        self.backoffs += 1
