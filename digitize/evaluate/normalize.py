"""Named normalisation profiles applied to both texts before any metric.

- ``exact``: the texts as they are (only Unicode NFC, so that visually equal text compares equal).
- ``default``: NFC; a hyphen at a line end joined to the next line's word; every run of whitespace
  (including line and page breaks) collapsed to one space; leading/trailing space removed.
- ``lenient``: ``default``, then case-folded, ``ё`` read as ``е``, and Latin letters that look like
  Cyrillic ones (``a c e o p x y`` and capitals ``A B C E H K M O P T X``) mapped to Cyrillic.

Each profile also has a *display* form (:func:`display`) that keeps line breaks for the side-by-side
view of the report: it differs from the metric form only in showing ``\\n`` where the metric form has
a space, so an alignment computed on one can be drawn on the other character for character.
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

DESCRIPTIONS: dict[str, str] = {
    "exact": "Unicode NFC only; every space, line break and letter case counts",
    "default": "NFC, hyphens at line ends joined, whitespace runs collapsed to one space",
    "lenient": "default, then case-folded, ё read as е, Latin look-alike letters mapped to Cyrillic",
}


def _collapse(run: re.Match[str]) -> str:
    # a whitespace run that spans a line keeps one line break for display; the metric form reads it as a space
    return "\n" if "\n" in run.group(0) or "\f" in run.group(0) else " "


def _default_display(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return _SPACE.sub(_collapse, text).strip()


def _lenient_display(text: str) -> str:
    return _default_display(text).translate(_LOOKALIKES).casefold().replace("ё", "е")


def exact(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def default(text: str) -> str:
    return _default_display(text).replace("\n", " ")


def lenient(text: str) -> str:
    return _lenient_display(text).replace("\n", " ")


PROFILES: dict[str, Callable[[str], str]] = {"exact": exact, "default": default, "lenient": lenient}
_DISPLAY: dict[str, Callable[[str], str]] = {"exact": exact, "default": _default_display, "lenient": _lenient_display}


def get_profile(name: str) -> Callable[[str], str]:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown normalisation profile {name!r}; choose one of {', '.join(PROFILES)}") from None


def display(text: str, profile: str) -> str:
    """The profile's text with line breaks kept: ``display(t, p).replace("\\n", " ") == p(t)`` except for exact."""
    get_profile(profile)
    return _DISPLAY[profile](text)


def lines(text: str, profile: str) -> list[str]:
    """The profile's text split into non-empty lines (for the reading-order-independent measures)."""
    return [ln.strip() for ln in display(text, profile).split("\n") if ln.strip()]
