"""Named normalisation profiles applied to both texts before any metric.

- ``exact``: the texts as they are (only Unicode NFC, so that visually equal text compares equal).
- ``default``: NFC; a hyphen at a line end joined to the next line's word; every run of whitespace
  (including line and page breaks) collapsed to one space; leading/trailing space removed.
- ``lenient``: ``default``, then case-folded, ``ё`` read as ``е``, and Latin letters that look like
  Cyrillic ones (``a c e o p x y`` and capitals ``A B C E H K M O P T X``) mapped to Cyrillic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\n\s*(\w)")
_SPACE = re.compile(r"\s+")
_LOOKALIKES = str.maketrans(
    {
        "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
        "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М",
        "O": "О", "P": "Р", "T": "Т", "X": "Х",
    }
)  # fmt: skip


def exact(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def default(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return _SPACE.sub(" ", text).strip()


def lenient(text: str) -> str:
    text = default(text).translate(_LOOKALIKES).casefold()
    return text.replace("ё", "е")


PROFILES: dict[str, Callable[[str], str]] = {"exact": exact, "default": default, "lenient": lenient}


def get_profile(name: str) -> Callable[[str], str]:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown normalisation profile {name!r}; choose one of {', '.join(PROFILES)}") from None
