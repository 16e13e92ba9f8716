"""Dictionary repair of the misreadings typical of worn typewriter type.

A worn or broken typeface makes Tesseract confuse a few letter pairs (``к``/``х``, ``о``/``с``, ``г``/``т``,
``н``/``и`` ...), read a lowercase letter struck off the baseline as a capital (``отРядов``), a blotted
letter as a symbol (``апрел®``), and split a word at a wide gap between two letters (``националь ного``).
A word that no Russian dictionary knows is tried with each such single change, with its unread symbols read
as letters; in a word of six letters or more, with one letter of any kind changed, added or dropped inside
it, or with two confusable changes in seven or more. It is replaced by the commonest known candidate
(:mod:`.frequency`), when that one is common and clearly commoner than the next. A capitalised word (a name
the dictionary may lack) is repaired only into a place or name the dictionary knows, or into a very common
word. Known words, names in capitals, compounds, the first part of a word broken at the line end, numbers and
Latin are never touched.

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
_LETTERS_ONLY = re.compile(r"^[А-Яа-яЁё]+$")
_MIN_LENGTH = 4  # short words have too many known neighbours to decide
_MIN_LENGTH_TWO_CHANGES = 7  # two changes only in long words, whose neighbourhood is sparse
_MIN_LENGTH_ANY_CHANGE = 6  # a letter of any kind added, dropped or changed: only in words this long
_MIN_LENGTH_EDIT_AND_CHANGE = 10  # that and a confusable letter as well: only in words this long
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


_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
#: symbols Tesseract puts where a letter is blotted or broken (a filled ``я`` reads as ``®``): a letter unread
_UNREAD = "@®&№©"
_WORD_WITH_UNREAD = re.compile(rf"^([\"'«(\[]*)((?=(?:.*?[А-Яа-яЁё]){{3}})[А-Яа-яЁё{_UNREAD}]+)([.,;:!?»)\]\"'-]*)$")
#: a capitalised word is repaired only to a place or name the dictionary knows, or to a word this common (Zipf)
_COMMON_ENOUGH_FOR_A_CAPITAL = 4.0
_PROPER_TARGETS = {"Geox", "Name", "Surn", "Orgn"}


def _fills(lower: str) -> set[str]:
    """``lower`` with each unread symbol read as some letter (or as nothing, a speck)."""
    out = {lower}
    for _ in range(sum(ch in _UNREAD for ch in lower)):
        nxt: set[str] = set()
        for w in out:
            i = next(i for i, ch in enumerate(w) if ch in _UNREAD)
            nxt.update(w[:i] + alt + w[i + 1 :] for alt in (*_ALPHABET, ""))
        out = nxt
    return out


def _one_edit(lower: str) -> set[str]:
    """Every string one letter away: any letter changed, or one added or dropped inside the word.

    Never at its ends, where a word cut by the page edge or broken at a line end is only part of a word.
    """
    out = {lower[:i] + lower[i + 1 :] for i in range(1, len(lower) - 1)}
    for i in range(len(lower)):
        for alt in _ALPHABET:
            out.add(lower[:i] + alt + lower[i + 1 :])
            if i > 0:
                out.add(lower[:i] + alt + lower[i:])
    out.discard(lower)
    return out


def _candidates(lower: str) -> set[str]:
    """Known words near ``lower``, nearest first: one confusable letter (or the unread letters filled in);
    else, in a longer word, two confusable letters or one letter of any kind added, dropped or changed; else,
    in a word of ten letters or more, one of each."""
    start = _fills(lower) if any(ch in _UNREAD for ch in lower) else {lower}
    near = {w for w in start if w and known(w)}
    near |= {v for w in start for v in _variants(w) if known(v)}
    if near or len(lower) < _MIN_LENGTH_ANY_CHANGE:
        return near
    if len(lower) >= _MIN_LENGTH_TWO_CHANGES:
        near = {v2 for w in start for v in _variants(w) for v2 in _variants(v) if v2 != lower and known(v2)}
    if len(start) == 1:
        edits = _one_edit(lower)
        near |= {v for v in edits if known(v)}
        if not near and len(lower) >= _MIN_LENGTH_EDIT_AND_CHANGE:
            # (only words common enough to be chosen are looked for: a set look-up, not a dictionary parse)
            near = {v2 for v in edits for v2 in _variants(v) if frequency.zipf(v2) > 0}
    return near


def _best_known(lower: str, capitalised: bool = False) -> str | None:
    """The commonest known word near ``lower`` (:func:`_candidates`), or None when no candidate is common
    enough or two are about as common. For a capitalised word (a name the dictionary may lack) only a known
    place or name, or a very common word (a sentence's first word), will do."""
    ranked = sorted(_candidates(lower), key=lambda w: (-frequency.zipf(w), w))
    if not ranked or frequency.zipf(ranked[0]) < frequency.MIN_ZIPF:
        return None
    if len(ranked) > 1 and frequency.zipf(ranked[0]) - frequency.zipf(ranked[1]) < _MIN_LEAD:
        return None
    if capitalised and frequency.zipf(ranked[0]) < _COMMON_ENOUGH_FOR_A_CAPITAL:
        tags = set(_analyzer().parse(ranked[0])[0].tag.grammemes)
        if not tags & _PROPER_TARGETS:
            return None
    return ranked[0]


def correct_word(word: str) -> str:
    """``word`` (letters, perhaps an unread symbol among them) repaired to the commonest known word near it."""
    # a capital inside a lowercase word is a letter struck off the baseline: 'отРядов', 'товарИщу', 'ПраёИтельсТва'
    if len(word) > 1 and any(c.isupper() for c in word[1:]) and not word.isupper() and "-" not in word:
        letters = [c for c in word if c.isalpha()]
        if word[0].islower() or sum(c.islower() for c in letters) >= sum(c.isupper() for c in letters):
            word = word[:1] + word[1:].lower()
    lower = word.lower()
    unread = any(ch in _UNREAD for ch in lower)
    if "-" in word or len(lower) < _MIN_LENGTH or (known(lower) and not unread):
        return word
    if word.isupper() and len(word) > 1:
        return word  # headings and names in capitals are often unknown to the dictionary
    best = _best_known(lower, capitalised=word[:1].isupper())
    if best is None:
        return word
    return _with_case(word, best)


def correct_token(token: str) -> str:
    """One whitespace-separated token, punctuation at its edges kept."""
    m = _WORD.match(token) or _WORD_WITH_UNREAD.match(token)
    if not m:
        return token
    lead, core, tail = m.groups()
    if tail.endswith("-"):
        return token  # the first part of a word broken at the line end ('организа-') is no word of its own
    return lead + correct_word(core) + tail


def doubtful(token: str) -> bool:
    """Whether a token with three letters or more is no word: unknown to the dictionary, or letters mixed with
    digits or the symbols of an unread letter (``т2``, ``апрел®``). Names in capitals count as words."""
    if sum(ch.isalpha() for ch in token) < 3:
        return False
    m = _WORD.match(token)
    if m is None:
        return True
    core = m.group(2)
    return not (core.isupper() or known(core.lower()))


def joined(first: str, second: str) -> str | None:
    """One word Tesseract split in two at a wide letter gap (``националь ного``, ``продолжает ся``), or None.

    Joined only when the second part is no word on its own, starts in lowercase as the rest of a word does,
    follows at least three letters, and the two together make a known word (after repair).
    """
    if not _LETTERS_ONLY.match(first) and not _WORD_WITH_UNREAD.match(first):
        return None
    m = _WORD.match(second) or _WORD_WITH_UNREAD.match(second)
    if not m or m.group(1) or not m.group(2)[:1].islower() or "-" in first + m.group(2):
        return None
    core, tail = m.group(2), m.group(3)
    if len(first) < 3 or (known(core.lower()) and not any(ch in _UNREAD for ch in core)):
        return None  # a word after a one- or two-letter word, or a word of its own, is not a word's tail
    whole = first + core
    repaired = whole if known(whole.lower()) else correct_word(whole)
    return repaired + tail if known(repaired.lower()) else None


#: tags of words written with a capital anywhere in a sentence (names, places, organisations, abbreviations)
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"}
#: parts of speech a Soviet document capitalises inside a sentence (``Национального правительства``,
#: the polite ``Вам``, ``Ваших``, ``Герой Советского Союза``, ``Октябрь``): left as read
_CAPITALISED_INSIDE = {"ADJF", "NPRO", "NOUN"}
_SENTENCE_END = tuple(".!?:;»\"'«")


def _lower_inside_sentence(core: str, unsure: bool = False) -> bool:
    """Whether a capitalised ``core`` read inside a sentence is a common word whose capital is a misreading.

    A noun, adjective or pronoun keeps its capital (Soviet usage capitalises ``Национального правительства``)
    unless the OCR was ``unsure`` of the word: then only names and places do.
    """
    lower = core.lower()
    if not known(lower):
        return False
    parses = [p for p in _analyzer().parse(lower) if p.score >= 0.05]  # readings, not rare homographs
    if not parses:
        return False
    for p in parses:
        if _PROPER & set(p.tag.grammemes) or (p.tag.POS in _CAPITALISED_INSIDE and not unsure):
            return False
    return True


def sentence_case(tokens: list[str], unsure: list[bool] | None = None) -> list[str]:
    """Tokens of a region in reading order, with capitals Tesseract misread inside a sentence lowered.

    Many Cyrillic capitals are their lowercase letter made taller (``В``/``в``, ``Т``/``т``, ``П``/``п``), so
    a letter struck a little high reads as a capital: ``в районах`` becomes ``В районах``. Only a word the
    dictionary knows, that is not a name, place, abbreviation, noun, adjective or pronoun, following a word that
    does not end a sentence, is lowered; of the tokens flagged ``unsure`` (read with low confidence), nouns,
    adjectives and pronouns are lowered too.
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
        if _lower_inside_sentence(core, bool(unsure and unsure[i])):
            out[i] = core.lower() + tail
    return out
