"""Errors of the shelf trace generator and scorer."""

from __future__ import annotations


class ShelfgenError(Exception):
    """Base of every error raised by bench.shelfgen."""


class UnknownFamilyError(ShelfgenError):
    """A family name that is not in ``FAMILIES``."""


class RecordError(ShelfgenError):
    """A truth or prediction line that cannot be used; the message names the line and field."""


class TraceFileError(ShelfgenError):
    """A trace directory that is missing a file or holds one in the wrong format."""
