"""English and Simplified Chinese: JSON catalogs shipped beside this module.

The language comes from the ``lang`` cookie (the switch in the page header), else from
``Accept-Language``; a key missing from a catalog falls back to English, then to the key,
so a half-translated page still renders.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh-Hans")
DEFAULT = "en"
LANG_COOKIE = "lang"


@cache
def catalog(lang: str) -> dict[str, str]:
    text = resources.files("cloud.web").joinpath("locales", f"{lang}.json").read_text("utf-8")
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()}


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie if valid, else the best Accept-Language match (``zh``/``zh-CN`` → zh-Hans)."""
    if cookie in LANGUAGES:
        return cookie
    best, best_q = DEFAULT, -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        lang = _match(tag.strip().lower())
        if lang is not None and q > best_q:
            best, best_q = lang, q
    return best


def _match(tag: str) -> str | None:
    if tag.startswith("zh"):
        return None if tag in ("zh-hant", "zh-tw", "zh-hk") else "zh-Hans"
    if tag.startswith("en"):
        return "en"
    return None


class Translator:
    """``t("key", name=value)``: the catalog text, formatted with the keyword arguments."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT

    def __call__(self, key: str, **params: object) -> str:
        text = catalog(self.lang).get(key) or catalog(DEFAULT).get(key) or key
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def word(self, kind: str, code: object, default: str | None = None) -> str:
        """A coded value people read (category, segment, device kind…): ``kind.code`` from
        the catalog, else ``default`` (a name someone typed in), else the code itself."""
        key = f"{kind}.{code}"
        text = catalog(self.lang).get(key) or catalog(DEFAULT).get(key)
        return text or (default if default else str(code))

    def has(self, key: str) -> bool:
        return key in catalog(DEFAULT)
