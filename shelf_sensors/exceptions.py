"""Errors of the shelf node; driver and storage errors are mapped to these at the boundary."""

from __future__ import annotations


class ShelfError(Exception):
    """Base of smart shelf errors."""


class LoadCellError(ShelfError):
    """A load cell source failed (port gone, GPIO unavailable); the node reports a fault."""


class ProtocolError(ShelfError):
    """A serial line from the load cell microcontroller is malformed; the line is dropped."""


class CalibrationError(ShelfError):
    """A tare or calibration was refused (lane not empty, too few samples, no span)."""


class LaneConfigError(ShelfError):
    """A lane map (planogram or LANES.yaml) is invalid; the message names the lane and field."""


class TraceError(ShelfError):
    """A recorded trace row is unusable; the message names the line."""
