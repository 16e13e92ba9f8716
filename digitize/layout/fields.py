"""Data parsed out of a region's text: archive references, date lines and telegraph transmission blocks.

Every parser keeps the raw text beside what it found, and returns only what it could read: a field the OCR
garbled is left out rather than guessed. The patterns tolerate the slips typical of typewritten Russian OCR
(``ч`` without its full stop, Latin ``I``/``V`` for Roman month numerals, ``0`` for ``о``).
"""

from __future__ import annotations

import re
from typing import Any

from ..models import RegionType

_MONTHS_RU = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,  # мая, май
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}
# Cyrillic letters a typewriter or the OCR puts for Latin Roman numerals (Х for X, У rarely for V)
_ROMAN_LOOKALIKE = str.maketrans({"Х": "X", "х": "X", "і": "I", "l": "I", "1": "I", "|": "I", "Т": "I", "У": "V"})

_YEAR = r"(1[89]\d\d|20\d\d)"
_DATE_ROMAN = re.compile(r"(\d{1,2})\s*[/.]\s*([IVXХ1l|ТУ]{1,4})\s*[/.,]?\s*" + _YEAR)
_DATE_ROMAN_SHORT = re.compile(r"(\d{1,2})\s*\.\s*([IVXХ1l|ТУ]{1,4})\s*\.\s*(\d{2})(?!\d)")
_DATE_NUMERIC = re.compile(r"(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*" + _YEAR)
# the day may be quoted ("12" апреля) or left blank for the signer to fill in (" " апреля, ___ апреля)
_DAY = r"(?:[\"«“„”]?\s*(\d{1,2})\s*[\"»”“]?|[\"«“„”]\s*[\"»”“]|_+)?"
_DATE_WORDS = re.compile(_DAY + r"\s*([А-Яа-яЁё]{3,9})\s+" + _YEAR, re.IGNORECASE)
_TIME = re.compile(r"(\d{1,2})\s*ч\.?\s*(\d{1,2})\s*м", re.IGNORECASE)
_TIME_COLON = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")

#: Opening words of telegraph transmission lines and the event each records.
_EVENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*(Пер|Перед|Передал|Передано)\b", re.IGNORECASE), "sent"),
    (re.compile(r"^\s*(Пров|Проз|Пр0в|Проверено|Проверил)\b", re.IGNORECASE), "checked"),
    (re.compile(r"^\s*(Прин|Принял|Принято|Пол|Получено)\b", re.IGNORECASE), "received"),
)


def _month_from_word(word: str) -> int | None:
    w = word.lower()
    for stem, month in sorted(_MONTHS_RU.items(), key=lambda kv: -len(kv[0])):
        if w.startswith(stem) and (stem != "ма" or w in {"мая", "май"}):
            return month
    return None


def _roman_month(raw: str) -> int | None:
    """A Roman month numeral through the OCR's look-alikes; one stray stroke either end is forgiven (1ТУ = IV)."""
    roman = raw.translate(_ROMAN_LOOKALIKE)
    for cand in (roman, roman[1:], roman[:-1]):
        if cand in _ROMAN:
            return _ROMAN[cand]
    return None


def _iso(year: int, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO 8601 (``YYYY-MM-DD``, or ``YYYY-MM`` when the day is left blank)."""
    found: list[tuple[int, str]] = []
    m = _DATE_ROMAN.search(text)
    if m and not m.group(2).isdigit():  # "03.11.1947" is numeric, not Roman "II"
        month = _roman_month(m.group(2))
        if month and (iso := _iso(int(m.group(3)), month, int(m.group(1)))):
            found.append((m.start(), iso))
    m = _DATE_ROMAN_SHORT.search(text)
    if m and not found:
        month = _roman_month(m.group(2))
        if month and (iso := _iso(1900 + int(m.group(3)), month, int(m.group(1)))):
            found.append((m.start(), iso))
    m = _DATE_NUMERIC.search(text)
    if m and (iso := _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))):
        found.append((m.start(), iso))
    for m in _DATE_WORDS.finditer(text):
        month = _month_from_word(m.group(2))
        if month and (iso := _iso(int(m.group(3)), month, int(m.group(1)) if m.group(1) else None)):
            found.append((m.start(), iso))
            break
    return min(found)[1] if found else None


def parse_time(text: str) -> str | None:
    """``17 ч. 50 м.`` (or ``17.50``) as ``17:50``."""
    m = _TIME.search(text) or _TIME_COLON.search(text)
    if not m:
        return None
    hh, mm = int(m.group(1)), int(m.group(2))
    return f"{hh:02d}:{mm:02d}" if hh < 24 and mm < 60 else None


def parse_transmission_block(text: str) -> dict[str, Any]:
    """Events (sent/checked/received) with time, date and operator, and the raw text beside them.

    A line that opens an event (``Пер.``, ``Пров.``, ``Принял``) starts it; following lines that open none
    name its operator (``Мож. ОПС``). The first event's time and date are also given at the top level.
    """
    events: list[dict[str, Any]] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        kind = next((k for pat, k in _EVENTS if pat.search(line)), None)
        time, date = parse_time(line), parse_date(line)
        if kind is None and (time or date) and not events:
            kind = "sent"  # a block whose opening word the OCR lost still starts with its time and date
        if kind is not None:
            event: dict[str, Any] = {"kind": kind, "raw": line}
            if time:
                event["time"] = time
            if date:
                event["date"] = date
            rest = _EVENTS_STRIP.sub("", line).strip()
            if kind == "received" and rest and not time:
                event["operator"] = rest
            events.append(event)
        elif events:
            prev = events[-1]
            prev["operator"] = f"{prev['operator']} {line}" if prev.get("operator") else line
    out: dict[str, Any] = {"raw": text}
    if events:
        out["events"] = events
        first = events[0]
        for key in ("kind", "time", "date", "operator"):
            if key in first:
                out[key] = first[key]
        if "time" in first and "date" in first:
            out["datetime"] = f"{first['date']}T{first['time']}"
    return out


_EVENTS_STRIP = re.compile(r"^\s*(Принял[аио]?|Прин\.?)\s*", re.IGNORECASE)

# Labels of an archive reference, with the OCR's usual look-alikes (``04`` for ``оп``, ``9`` for ``д``).
_FOND = re.compile(r"(?:^|[\s,;(])(?:Ф|ф|F|f)\s*\.?\s*(?:№\s*)?(\d+)")
_OPIS = re.compile(r"(?:оп|ОП|Оп|op|Op|04|0п|о п)\s*\.?\s*(?:№\s*)?(\d+)")
_DELO = re.compile(r"(?:^|[\s,;.])(?:д|Д|d|D|9)\s*\.\s*(?:№\s*)?(\d+)")
_FOLIO = re.compile(r"(?:^|[\s,;.])(?:лл|Лл|л|Л|l)\s*\.\s*(\d+(?:\s*[-–]\s*\d+)?)")


def parse_archive_reference(text: str) -> dict[str, Any]:
    """Fond, opis, delo and folio(s) of an archive reference such as ``Ф.1, оп.89, д.112, л.118``."""
    flat = " ".join(text.split())
    out: dict[str, Any] = {"raw": text}
    m = _FOND.search(flat)
    if m:
        out["fond"] = m.group(1)
    m = _OPIS.search(flat, m.end() if m else 0)
    if m:
        out["opis"] = m.group(1)
    m = _DELO.search(flat, m.end() if m else 0)
    if m:
        out["delo"] = m.group(1)
    m = _FOLIO.search(flat, m.end() if m else 0)
    if m:
        out["folio"] = re.sub(r"\s+", "", m.group(1)).replace("–", "-")
    return out


def parse_folio(text: str) -> dict[str, Any]:
    digits = re.sub(r"\D", "", text)
    return {"folio": int(digits)} if digits and len(digits) <= 5 else {}


def fields_for(region_type: RegionType, text: str) -> dict[str, Any]:
    """The parsed fields of a region of this type, or ``{}`` for types that carry none."""
    if not text.strip():
        return {}
    if region_type is RegionType.TRANSMISSION_BLOCK:
        return parse_transmission_block(text)
    if region_type is RegionType.ARCHIVE_REFERENCE:
        return parse_archive_reference(text)
    if region_type is RegionType.DATE_LINE:
        iso = parse_date(text)
        return {"raw": text, "date": iso} if iso else {"raw": text}
    if region_type is RegionType.FOLIO_NUMBER:
        return parse_folio(text)
    return {}
