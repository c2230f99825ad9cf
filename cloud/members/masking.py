"""What a checkout may show of a member: the first character of each part of the name."""

from __future__ import annotations

MASK = "*"


def mask_name(name: str) -> str:
    """``Wang Fang`` → ``W*** F***``, ``王小明`` → ``王**``; an empty name stays empty.

    Enough for the shopper to recognise the account on the screen, not enough to learn who a
    phone number belongs to.
    """
    return " ".join(part[0] + MASK * (len(part) - 1) for part in name.split())
