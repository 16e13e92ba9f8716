"""Dictionary repair of single-letter misreadings typical of worn typewriter type.

A worn or broken typeface makes Tesseract confuse a few letter pairs (``к``/``х``, ``о``/``с``, ``г``/``т``,
``н``/``и`` ...) and read a lowercase letter struck off the baseline as a capital (``отРядов``). A word
that no Russian dictionary knows is tried with each such single change (two in words of seven letters or
more); it is replaced by the commonest known variant (:mod:`.frequency`), when that one is common and
clearly commoner than the next. Known words, capitalised words (names the dictionary lacks), compounds,
the first part of a word broken at the line end, numbers and Latin are never touched.

The dictionary is OpenCorpora's general Russian lexicon, through ``pymorphy3`` (PyPI ``pymorphy3`` and
``pymorphy3-dicts-ru``, MIT licence). The user-words list, built partly from the ground truth, is kept
out of it on purpose, so corrections never copy the evaluation's own text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import frequency

#: letter pairs a worn typewriter face and Tesseract confuse, both ways
_PAIRS = (
    "кх", "ос", "ое", "ес", "гт", "гп", "гв", "ни", "ля", "вз", "зэ", "цщ", "шщ", "ьы", "ъь", "ьв", "ай", "ий",
    "чи", "рт", "бв", "ед", "дл", "ыь", "иц", "еб", "зс", "ге",
    "ао", "ае", "еи", "вк", "ип", "мн", "нв", "пн", "хж", "нк",
)  # fmt: skip
_CONFUSIONS: dict[str, str] = {}
for _pair in _PAIRS:
    _CONFUSIONS[_pair[0]] = _CONFUSIONS.get(_pair[0], "") + _pair[1]
    _CONFUSIONS[_pair[1]] = _CONFUSIONS.get(_pair[1], "") + _pair[0]

_WORD = re.compile(r"^([\"'«(\[]*)([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)?)([.,;:!?»)\]\"'-]*)$")
_MIN_LENGTH = 4  # short words have too many known neighbours to decide
_MIN_LENGTH_TWO_CHANGES = 7  # two changes only in long words, whose neighbourhood is sparse
_MIN_LEAD = 0.5  # the chosen word must be clearly commoner (Zipf) than the next candidate


@lru_cache(maxsize=1)
def _analyzer():  # type: ignore[no-untyped-def]
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=50_000)
def known(word: str) -> bool:
    """Whether a (lowercase) word is in the general Russian dictionary."""
    return all(_analyzer().word_is_known(part) for part in word.split("-") if part)


def _with_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _variants(lower: str) -> set[str]:
    out = set()
    for i, ch in enumerate(lower):
        for alt in _CONFUSIONS.get(ch, ""):
            out.add(lower[:i] + alt + lower[i + 1 :])
    return out


def _best_known(lower: str) -> str | None:
    """The commonest known word one confusable letter away (else two, in a long word), or None when no
    candidate is common enough or two are about as common."""
    near = {v for v in _variants(lower) if known(v)}
    if not near and len(lower) >= _MIN_LENGTH_TWO_CHANGES:
        near = {w for v in _variants(lower) for w in _variants(v) if w != lower and known(w)}
    ranked = sorted(near, key=lambda w: (-frequency.zipf(w), w))
    if not ranked or frequency.zipf(ranked[0]) < frequency.MIN_ZIPF:
        return None
    if len(ranked) > 1 and frequency.zipf(ranked[0]) - frequency.zipf(ranked[1]) < _MIN_LEAD:
        return None
    return ranked[0]


def correct_word(word: str) -> str:
    """``word`` (letters only) repaired to the commonest known word one or two confusable letters away."""
    # a capital inside a lowercase word is a letter struck off the baseline: 'отРядов', 'товарИщу'
    if len(word) > 1 and word[0].islower() and any(c.isupper() for c in word[1:]) and not word.isupper():
        word = word.lower()
    lower = word.lower()
    if word[:1].isupper() or "-" in word or len(lower) < _MIN_LENGTH or known(lower):
        # names (Казей, Усть-Камчатск) and headings in capitals are often unknown to the dictionary
        return word
    best = _best_known(lower)
    return word if best is None else _with_case(word, best)


def correct_token(token: str) -> str:
    """One whitespace-separated token, punctuation at its edges kept."""
    m = _WORD.match(token)
    if not m:
        return token
    lead, core, tail = m.groups()
    if tail.endswith("-"):
        return token  # the first part of a word broken at the line end ('организа-') is no word of its own
    return lead + correct_word(core) + tail


#: tags of words written with a capital anywhere in a sentence (names, places, organisations, abbreviations)
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"}
#: parts of speech a Soviet document capitalises inside a sentence (``Национального правительства``,
#: the polite ``Вам``, ``Ваших``, ``Герой Советского Союза``, ``Октябрь``): left as read
_CAPITALISED_INSIDE = {"ADJF", "NPRO", "NOUN"}
_SENTENCE_END = tuple(".!?:;»\"'«")


def _lower_inside_sentence(core: str) -> bool:
    """Whether a capitalised ``core`` read inside a sentence is a common word whose capital is a misreading."""
    lower = core.lower()
    if not known(lower):
        return False
    parses = [p for p in _analyzer().parse(lower) if p.score >= 0.05]  # readings, not rare homographs
    if not parses:
        return False
    for p in parses:
        if _PROPER & set(p.tag.grammemes) or p.tag.POS in _CAPITALISED_INSIDE:
            return False
    return True


def sentence_case(tokens: list[str]) -> list[str]:
    """Tokens of a region in reading order, with capitals Tesseract misread inside a sentence lowered.

    Many Cyrillic capitals are their lowercase letter made taller (``В``/``в``, ``Т``/``т``, ``П``/``п``), so
    a letter struck a little high reads as a capital: ``в районах`` becomes ``В районах``. Only a word the
    dictionary knows, that is not a name, place, abbreviation, noun, adjective or pronoun, following a word that
    does not end a sentence, is lowered.
    """
    out = list(tokens)
    for i in range(1, len(out)):
        prev, tok = out[i - 1], out[i]
        m = _WORD.match(tok)
        if not m or prev.endswith(_SENTENCE_END) or not prev[-1:].isalnum() and not prev.endswith(","):
            continue
        lead, core, tail = m.groups()
        if lead or "-" in core or not core[:1].isupper() or (len(core) > 1 and not core[1:].islower()):
            continue
        if _lower_inside_sentence(core):
            out[i] = core.lower() + tail
    return out
