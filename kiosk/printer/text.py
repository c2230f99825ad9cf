"""Display width on a receipt: CJK and full-width characters take two columns.

Receipt printers lay text on a fixed grid; a Chinese character printed from GB18030 or
from our image rendering occupies two cells, so every padding decision goes through here.
"""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    """0 for combining and control characters, 2 for wide/full-width, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cc", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def is_wide(text: str) -> bool:
    """True when ``text`` holds a character that a code page printer cannot show."""
    return any(char_width(ch) == 2 for ch in text)


def clean(text: str) -> str:
    """Drop control characters (a product name must never inject printer commands)."""
    return "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf") else " " for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Wrap on spaces where possible, else hard-break (CJK has no spaces); never wider."""
    text = clean(text).strip()
    if not text:
        return [""]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for ch in word:
            if text_width(current + ch) > width:
                lines.append(current)
                current = ""
            current += ch
    if current or not lines:
        lines.append(current)
    return lines


def pad(text: str, width: int, align: str = "left") -> str:
    """Pad to exactly ``width`` columns (``text`` must already fit)."""
    gap = max(0, width - text_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def columns(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line when they fit, else left wrapped then right."""
    left, right = clean(left), clean(right)
    if text_width(left) + 1 + text_width(right) <= width:
        return [left + " " * (width - text_width(left) - text_width(right)) + right]
    out = wrap(left, width)
    last = out[-1]
    if text_width(last) + 1 + text_width(right) <= width:
        out[-1] = last + " " * (width - text_width(last) - text_width(right)) + right
        return out
    return out + [pad(part, width, "right") for part in wrap(right, width)]
