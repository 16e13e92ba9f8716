"""Repairs of what Tesseract reads on Soviet typewriting: look-alike characters in the wrong script.

Soviet typewriters had no key for the digit 1 (a Latin/Cyrillic ``I`` was typed) and their ``О`` and
``0`` look the same, so numbers come out as ``I972`` or ``2О``; Tesseract's mixed unicharset also puts a
Latin ``a``/``e``/``o``/``p``/``c`` into Russian words now and then, and reads a bold round ``о`` as ``©``.
Each rule is narrow: it touches a token only when the token's own context decides the script.
"""

from __future__ import annotations

import re

#: Latin letters that look like Cyrillic ones, mapped to the Cyrillic letter
_LATIN_TO_CYRILLIC = str.maketrans(
    {
        "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к", "m": "м",
        "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
        "T": "Т", "X": "Х", "Y": "У",
    }
)  # fmt: skip
#: letters standing for digits inside a number typed on a Soviet machine
# (a seriffed typed I also comes out as a Cyrillic Т: 'Т9Т7' for 1917)
_TO_DIGIT = str.maketrans({"I": "1", "l": "1", "|": "1", "І": "1", "Т": "1", "О": "0", "O": "0", "о": "0", "o": "0"})

#: what Tesseract makes of the Roman month numerals typed in dates (``20/IV``): an I read as a digit one, a
#: Cyrillic І, Т or т (its serifs), a V as the Cyrillic У, or, faint, as its strokes apart (``"``, ``\\``,
#: ``\\У``), an X as the Cyrillic Х
_TO_ROMAN = str.maketrans(
    {"1": "I", "l": "I", "|": "I", "І": "I", "Т": "I", "т": "I", "У": "V", "v": "V", '"': "V", "\\": "V", "Х": "X"}
)
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# day/month with the month in Roman numerals as a Soviet date types it: '20/IV', misread '20/ТУ', '20/1У',
# '5/\\УТ'; or day.month.year: '28.IV.55', misread '28.ТУ.55'
_DAY_ROMAN = re.compile(r'^(\d{1,2}/)([IVX1l|ІТтУv"Х\\]{1,4})$|^(\d{1,2}\.)([IVX1l|ІТтУv"Х\\]{1,4})(\.\d{2,4})$')
_CYR = re.compile(r"[А-Яа-яЁё]")
_LAT = re.compile(r"[A-Za-z]")
# a token that is a number but for look-alike letters: at least one real digit, only digits and look-alikes
_NUMBERISH = re.compile(r"^(?=.*\d)[\dIl|ІТОOоo]+$")
_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^([\"'«(\[]*)(.*?)([.,;:!?»)\]\"'-]*)$")


def _fix_core(core: str) -> str:
    if not core:
        return core
    m = _DAY_ROMAN.match(core)
    if m:
        day, month, year = m.group(1) or m.group(3), m.group(2) or m.group(4), m.group(5) or ""
        roman = month.replace("\\У", "V").translate(_TO_ROMAN)
        # digits alone must make no month: '12/11' is a day and a month in Arabic digits, '12/111' is not
        if (not month.isdigit() or int(month) > 12) and roman in _ROMAN_MONTHS:
            return day + roman + year
    # 'I972', '2О', 'I9' but never a Roman numeral alone ('II', 'IV'): a real digit must be present
    if _NUMBERISH.match(core):
        return core.translate(_TO_DIGIT)
    # a number with a Russian suffix: 'I922г', 'I7-го'
    m = re.match(r"^([\dIlІТО]+)(-?[А-Яа-яЁё]{1,3})$", core)
    if m and re.search(r"\d", m.group(1)):
        # an ordinal's ending after digits is lowercase: '1917-й', '17-го'
        return m.group(1).translate(_TO_DIGIT) + m.group(2).lower()
    if _LAT.search(core) and _CYR.search(core):
        # a mostly Russian word with a stray Latin look-alike
        n_cyr, n_lat = len(_CYR.findall(core)), len(_LAT.findall(core))
        if n_cyr >= n_lat:
            return core.translate(_LATIN_TO_CYRILLIC)
    return core


def repair_token(token: str) -> str:
    """One whitespace-separated token repaired (punctuation at its edges kept as it was)."""
    if token in ("©", "@"):
        return "о"  # the preposition 'о' in a bold face
    m = _EDGE.match(token)
    if not m:
        return token
    lead, core, tail = m.groups()
    quoted = tail.rstrip(".,;:")
    if quoted.startswith('"') and _DAY_ROMAN.match(core + quoted):
        core, tail = core + quoted, tail[len(quoted) :]  # the quote is the month's V: '20/1"' (its two strokes)
    return lead + _fix_core(core) + tail


def repair(text: str) -> str:
    """``text`` with every token repaired; whitespace and line breaks are kept exactly."""
    return _TOKEN.sub(lambda m: repair_token(m.group(0)), text)


#: offices named in telegraph transmission blocks, always typed in capitals (post office, main post office,
#: central telegraph, people's commissariat of communications)
_TELEGRAPH_OFFICES = {"опс": "ОПС", "гпо": "ГПО", "цт": "ЦТ", "нкс": "НКС"}


def telegraph_case(line: str) -> str:
    """A line of a telegraph transmission block with the capitals its form always has.

    Every line of the block opens with a capital (``Пер.``, ``Принял``, ``Проз.``) and the office is an
    abbreviation in capitals; Tesseract loses them because ``м``/``М``, ``п``/``П``, ``о``/``О``, ``с``/``С``
    differ only in height.
    """

    def office(m: re.Match[str]) -> str:
        return _TELEGRAPH_OFFICES.get(m.group(0).lower(), m.group(0))

    line = re.sub(r"[А-Яа-яЁё]+", office, line)
    return line[:1].upper() + line[1:]


#: the words a telegraph form's lines open with (sent, checked, received), as typed on the form
_TELEGRAPH_LABELS = ("Пер.", "Проз.", "Пров.", "Передал", "Принял", "Прин.")
#: letter pairs Tesseract confuses on small faint typing: a change between them costs half
_LOOKALIKE_PAIRS = {frozenset(p) for p in ("зэ", "зв", "ов", "ое", "ир", "ли", "йл", "нп", "ри", "ея")}
_TIME_PART = re.compile(r"^(\d{1,2})([чм])\.?$")
_FRAME_RULE = re.compile(r"^[|!\[\]]+$")


def _label_distance(a: str, b: str) -> float:
    """Edit distance between two lowercase words, a change between look-alike letters counting half."""
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)]
        for j, cb in enumerate(b, 1):
            swap = 0.0 if ca == cb else 0.5 if frozenset((ca, cb)) in _LOOKALIKE_PAIRS else 1.0
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + swap))
        prev = cur
    return prev[-1]


def _form_label(token: str) -> str | None:
    """The form's label a line's first token is a misreading of (``Пе’`` for ``Пер.``), if exactly one is near."""
    letters = "".join(ch for ch in token.lower() if ch.isalpha())
    if len(letters) < 2:
        return None
    scored = sorted((_label_distance(letters, label.lower().rstrip(".")), label) for label in _TELEGRAPH_LABELS)
    (best, label), (second, _) = scored[0], scored[1]
    return label if best <= 2 and best < second and best < len(letters) else None


def telegraph_tokens(tokens: list[str]) -> list[str]:
    """The tokens of one line of a telegraph transmission block as the form has them: the frame's rules read
    as ``|`` dropped, the line's label restored (``прэ»`` for ``Проз.``, ``Риняй`` for ``Принял``), the year's
    ``г`` given its period, hours and minutes spaced (``7ч`` as ``7 ч.``), and the capitals of
    :func:`telegraph_case`. Dropped tokens come back empty, split ones with a space inside."""
    out = ["" if _FRAME_RULE.match(t) else t.strip("|") for t in tokens]
    first = next((i for i, t in enumerate(out) if t), None)
    if first is not None and not any(ch.isdigit() for ch in out[first]):
        label = _form_label(out[first])
        # an abbreviated label opens the line of a time and date; a whole word stands alone or before a name
        timed = any(ch.isdigit() for t in out[first + 1 :] for ch in t)
        if label is not None and (timed if label.endswith(".") else len(out[first]) >= 4):
            out[first] = label
    for i in range(1, len(out)):
        if out[i] == "г" and re.fullmatch(r"1[89]\d\d", out[i - 1]):
            out[i] = "г."
    kept = [i for i, t in enumerate(out) if t]
    cased = telegraph_case(" ".join(out[i] for i in kept)).split(" ")
    for i, t in zip(kept, cased, strict=True):
        out[i] = t
    # hours and minutes typed '17 ч. 50 м.', read with the space or the period lost: '7ч', '00м.'
    return [_TIME_PART.sub(r"\1 \2.", t) for t in out]
