"""Rules that give each candidate its region type: text cues, position on the page and shape.

The cues are the ones an archivist reads by: a transmission block opens with ``Пер.``/``Пров.``/``Принял``
and carries ``17 ч. 50 м.``; an archive reference says ``Ф.``, ``оп.``, ``д.``; a signer's typed name is
initials and a surname in capitals; an addressee line opens with ``Товарищу``; a date line is a short line with
a date; a folio number is a short number in the upper right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

from rapidfuzz.distance import Levenshtein

from ..models import BBox, RegionType
from .detect import TypedLine
from .fields import parse_date

TRANSMISSION_CUE = re.compile(
    r"(^\s*(Пер|Пров|Проз|Прин|Передал|Принял)\b)|(\d{1,2}\s*ч\.?\s*\d{1,2}\s*м\b)|\bОПС\b", re.IGNORECASE
)
ARCHIVE_CUE = re.compile(r"(?:^|[\s,(])(?:Ф|ф)\s*\.?\s*\d+.*(?:оп|ОП|Оп|04|д\s*\.|Д\s*\.)", re.DOTALL)
_ARCHIVE_PARTS = (
    re.compile(r"(?:^|[\s,(])[ФфF]\s*\.?\s*\d"),
    re.compile(r"(?:оп|ОП|Оп|on|0п|04)\s*\.?\s*\d"),
    re.compile(r"(?:^|[\s,.])[дДd]\s*\.\s*\d"),
)


def looks_like_archive_reference(text: str) -> bool:
    """Two of the three labels (fond, opis, delo) followed by numbers: enough for handwriting the OCR mangles."""
    flat = " ".join(text.split())
    return bool(ARCHIVE_CUE.search(flat)) or sum(bool(p.search(flat)) for p in _ARCHIVE_PARTS) >= 2


ADDRESSEE_CUE = re.compile(
    r"^\s*([ТГ]ова[рp]и[щш]|Тов\.|Пр[еc]дс[еc]дат|С[еc]к[рp]?х?[еc]т[аa]р|Министр|Начальник|Нарком|Народн|Заместит"
    r"|ЦК\b|В\s+ЦК|Москва)",
    re.IGNORECASE,
)
# the long words an addressee opens with, for readings the OCR garbled past the cue ("Сехретарю", "Тозарищу")
_ADDRESSEE_OPENERS = ("товарищу", "председателю", "секретарю", "народному", "заместителю", "начальнику", "министру")


def opens_addressee(line: str) -> bool:
    """An addressee's opening word: by the cue, or a long first word one or two letters off an opener."""
    if ADDRESSEE_CUE.match(line) or ADDRESSEE_CUE.match(line.replace(" ", "")):
        return True
    first = re.sub(r"[^а-яё]", "", (line.split() or [""])[0].lower())
    return len(first) >= 7 and any(Levenshtein.distance(first, w) <= 2 for w in _ADDRESSEE_OPENERS)


# "И.Д.БАГИРОВ", "И. И. МАЗЕННИКОВ", "БАГИРОВ И.Д."
# initials may come out of the OCR as look-alike digits (З as 3, О as 0) or a sign ($ for Ф), with a space before
# the dot ("И.А .СУББОТИН"); a capitalised surname after them may lose the last initial's dot ("Г.Ф ВОРОБЬЕВ")
# or have its first letters read in lower case ("С.Г.коОНОВАЛОВ")
_INITIAL = r"[А-ЯЁ30$]\s?\.\s?"
NAME_CUE = re.compile(
    rf"^\s*({_INITIAL}){{1,2}}\s?([А-ЯЁ][А-ЯЁа-яё\-]{{2,}}|[а-яё]{{1,2}}[А-ЯЁ]{{3,}}[А-ЯЁ\-]*)\s*$"
    rf"|^\s*{_INITIAL}[А-ЯЁ]\s+[А-ЯЁ]{{3,}}[А-ЯЁ\-]*\s*$"
    rf"|^\s*[А-ЯЁ]{{3,}}\s+({_INITIAL}){{1,2}}\s*$"
)
# a date line as the OCR may leave it: a month name, "года"/"г." at the end, or 19.IV.43 with garbled numerals
DATE_CUE = re.compile(
    r"(\bгода\b|\bг\.?\s*$|(январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)"
    r"|\d{1,2}\s*[./]\s*\S{1,4}\s*[./]\s*\d{2,4})",
    re.IGNORECASE,
)
_MONTH = re.compile(r"январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр|\bгода\b", re.I)


def _date_like(flat: str) -> bool:
    """A date cue with a date in it: a number or a month's name (a bare "г" is as often a speck read as a letter)."""
    return bool(DATE_CUE.search(flat)) and (any(ch.isdigit() for ch in flat) or bool(_MONTH.search(flat)))


_NAME_IN = re.compile(r"([А-ЯЁ30]\.\s?){1,2}\s?[А-ЯЁ]{3,}[А-ЯЁа-яё\-]*|[А-ЯЁ]{3,}\s+([А-ЯЁ30]\.\s?){1,2}")


def looks_like_name(line: str) -> bool:
    """A signer's typed name (initials and a capitalised surname), allowing a stray mark or two beside it."""
    if NAME_CUE.match(line):
        return True
    m = _NAME_IN.search(line)
    rest = (line[: m.start()] + line[m.end() :]) if m else line
    return bool(m) and sum(ch.isalnum() for ch in rest) <= 3


# words of office stamps: registration ("Вх. №", "ПОЛУЧЕНО") and the issuing body
STAMP_CUE = re.compile(
    r"(Вх\.?\s*№|ПОЛУЧЕНО|ПОСТУПИЛО|СЕКТОР|ОТДЕЛ|КАНЦЕЛЯРИЯ|ВКП|КП\(б|СОВЕТ|МИНИСТ|ОБКОМ|ГОРКОМ|ИСПОЛКОМ|НАРОДН)",
    re.IGNORECASE,
)
DIGITS = re.compile(r"^\s*\d{1,4}\s*\.?\s*$")


@dataclass
class Candidate:
    """A region before it is read: type, box in prepared pixels, and which image its reader should see."""

    type: RegionType
    bbox: BBox
    image: str = "ocr"  # "ocr" (coloured ink removed), "colour" (coloured ink only) or "gray" (everything)
    lines: list[TypedLine] = field(default_factory=list)
    confidence: float = 0.8  # how sure the rules are of the type
    shape: str = ""
    read: bool = True  # False for marks with no text to read (a signature scrawl)
    colour: str = ""  # for ink clusters: "dark", "blue" or "red"
    typed_size: bool = False  # a dark one-line mark no taller than the page's typing


def block_type(text: str, bbox: BBox, n_lines: int, page_w: int, page_h: int) -> tuple[RegionType, float]:
    """The type a block of typed text has by its words and its place on the page."""
    flat = " ".join(text.split())
    if TRANSMISSION_CUE.search(text) and n_lines <= 6:
        return RegionType.TRANSMISSION_BLOCK, 0.9
    if ARCHIVE_CUE.search(flat) and n_lines <= 4 and len(flat) < 80:
        return RegionType.ARCHIVE_REFERENCE, 0.9
    if DIGITS.match(flat) and (bbox.y1 < 0.2 * page_h or bbox.y0 > 0.85 * page_h) and bbox.x0 > 0.5 * page_w:
        return RegionType.FOLIO_NUMBER, 0.8
    if n_lines <= 2 and looks_like_name(text.splitlines()[-1] if text else ""):
        return RegionType.SIGNATURE, 0.8
    if n_lines == 1 and len(flat) <= 45 and (parse_date(flat) or (len(flat) <= 30 and _date_like(flat))):
        return RegionType.DATE_LINE, 0.85
    if n_lines <= 3 and opens_addressee(flat) and len(flat) <= 120:
        return RegionType.ADDRESSEE, 0.85
    return RegionType.BODY, 0.7


def line_pitch(lines: list[TypedLine], line_height: int) -> float:
    """The page's usual distance from one typed line to the next (single, 1.5 or double spacing)."""
    steps = []
    for a, b in zip(lines, lines[1:], strict=False):
        overlap = min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0)
        d = b.bbox.y0 - a.bbox.y0
        if overlap > 0 and 0.8 * line_height < d < 4 * line_height:
            steps.append(d)
    return float(median(steps)) if steps else 2.0 * line_height


def group_blocks(lines: list[TypedLine], line_height: int) -> list[list[TypedLine]]:
    """Lines into blocks: a block ends at a wider gap than the page's line pitch, or where columns change."""
    pitch = line_pitch(lines, line_height)
    blocks: list[list[TypedLine]] = []
    for ln in lines:
        home = None
        for blk in reversed(blocks):
            last = blk[-1]
            box = BBox.enclosing([x.bbox for x in blk])
            overlap = min(box.x1, ln.bbox.x1) - max(box.x0, ln.bbox.x0)
            if overlap > 0.3 * min(box.width, ln.bbox.width) and 0 < ln.bbox.y0 - last.bbox.y0 <= 1.35 * pitch:
                home = blk
                break
        if home is None:
            blocks.append([ln])
        else:
            home.append(ln)
    return blocks


def split_paragraphs(
    block: list[TypedLine], line_height: int, ink_end: Callable[[TypedLine, int], int] | None = None
) -> list[list[TypedLine]]:
    """A body block into paragraphs.

    A paragraph starts at an indented line, or after a line that ends short: when the next line's first word
    would have fitted in the room left at the end of this one, the typist returned the carriage on purpose.
    ``ink_end(line, right)`` tells where the line's ink ends (up to ``right``), which is further than its last
    read word when the OCR lost words at the end of the line (under a stamp, a smudge).
    """
    left = min(ln.bbox.x0 for ln in block)
    right = max(ln.bbox.x1 for ln in block)
    chars = sum(len(w.text) for ln in block for w in ln.words)
    width = sum(w.width for ln in block for w in ln.words)
    char_w = width / chars if chars else 0.6 * line_height
    paras: list[list[TypedLine]] = []
    for ln in block:
        if not paras:
            paras.append([ln])
            continue
        prev = paras[-1][-1]
        indented = ln.bbox.x0 - left > 1.5 * char_w
        first_word = ln.words[0].width if ln.words else 0
        end = max(prev.bbox.x1, ink_end(prev, right)) if ink_end is not None else prev.bbox.x1
        ended_short = right - end > first_word + 2.5 * char_w
        if (indented and not _is_indented(prev, left, char_w)) or ended_short:
            paras.append([ln])
        else:
            paras[-1].append(ln)
    return paras


def _is_indented(ln: TypedLine, left: int, char_w: float) -> bool:
    return ln.bbox.x0 - left > 1.5 * char_w


def split_addressees(block: list[TypedLine]) -> list[list[TypedLine]]:
    """One region per addressee: a new one at each line that opens with an addressee word."""
    out: list[list[TypedLine]] = []
    for ln in block:
        # "товарищу ГУРЬЕВ" under "Народному комиссару" continues it; a capital opens the next addressee
        if not out or (opens_addressee(ln.text) and ln.text.lstrip()[:1].isupper()):
            out.append([ln])
        else:
            out[-1].append(ln)
    return out


def split_transmission(block: list[TypedLine]) -> list[list[TypedLine]]:
    """One region per telegraph block: a new one starts at each ``Пер.``/``Пров.`` line after the first."""
    starts = re.compile(r"^\s*(Пер|Пров|Проз|Передал)\b", re.IGNORECASE)
    out: list[list[TypedLine]] = []
    for ln in block:
        if not out or starts.match(ln.text):
            out.append([ln])
        else:
            out[-1].append(ln)
    return out


def in_archive_zone(bbox: BBox, page_w: int, page_h: int) -> bool:
    """Upper right, left of the folio corner: where an archive stamps or writes its fond/opis/delo."""
    return bbox.y0 < 0.12 * page_h and bbox.x0 > 0.45 * page_w and bbox.y1 < 0.2 * page_h


def in_folio_zone(bbox: BBox, page_w: int, page_h: int, dpi: float) -> bool:
    """Upper right corner, small: where archives number their sheets."""
    small = bbox.width < 30 * dpi / 25.4 and bbox.height < 15 * dpi / 25.4
    return small and bbox.y0 < 0.08 * page_h and bbox.x0 > 0.75 * page_w
