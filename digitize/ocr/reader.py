"""Reading text out of a prepared page: the whole page, or one region the way its type needs."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..config import OcrConfig
from ..errors import OcrEngineError
from ..models import BBox, Line, PreparedPage, RegionType, Word
from . import lexicon, postprocess, tesseract, userwords

#: Page segmentation mode per region type: paragraphs as blocks, one-liners as single lines.
PSM_BY_TYPE: dict[RegionType, int] = {
    RegionType.BODY: 6,
    RegionType.ADDRESSEE: 6,
    RegionType.MARGINALIA: 6,
    RegionType.STAMP: 11,
    RegionType.ARCHIVE_REFERENCE: 6,
    RegionType.SIGNATURE: 6,
    RegionType.FOLIO_NUMBER: 7,
    RegionType.DATE_LINE: 7,
    RegionType.TRANSMISSION_BLOCK: 6,
}


#: a word read with less confidence than this is an unsure reading (its capital may be a letter struck high)
_UNSURE = 0.5
#: initials (``И.``, ``И.Д.``), and the widest gap, in typewriter character widths, that is not a typed space
_INITIALS = re.compile(r"^(?:[А-ЯЁA-Z]\.){1,2}$")
_JOINED_GAP = 0.9
#: below this confidence a word of no letters and no number is a speck, not text
_SPECK = 0.25
#: a gap this many line heights wide cuts a scrap off from its line
_STRAY_GAP = 8.0


@dataclass(frozen=True)
class RegionText:
    """What was read in a region; line and word boxes are in the prepared image's coordinates."""

    text: str
    lines: tuple[Line, ...]
    confidence: float


class RegionReader:
    """Runs Tesseract on a prepared page with the run's OCR settings."""

    def __init__(self, cfg: OcrConfig) -> None:
        self.cfg = cfg
        self.user_words: Path | None = userwords.path() if cfg.user_words and "rus" in cfg.lang else None
        # --page-timeout bounds the whole page, however many regions it is read in (one reader per page)
        self._deadline = time.monotonic() + cfg.page_timeout

    def _time_left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise OcrEngineError(
                f"page took longer than {self.cfg.page_timeout:g} s of OCR (--page-timeout) and was stopped"
            )
        return left

    @staticmethod
    def ocr_dpi(prepared: PreparedPage) -> float:
        """The resolution told to Tesseract: measured from the letters when preprocessing could."""
        return float(prepared.extra.get("ocr_dpi", prepared.dpi)) if prepared.extra else prepared.dpi

    def _repair(self, text: str) -> str:
        if self.cfg.repair_lookalikes:
            text = postprocess.repair_token(text)
        if self.cfg.lexicon_repair and "rus" in self.cfg.lang:
            text = lexicon.correct_token(text)
        return text

    def _repaired(self, words: list[tesseract.OcrWord]) -> list[tesseract.OcrWord]:
        return [replace(w, text=self._repair(w.text)) for w in words]

    def page_words(self, prepared: PreparedPage, image: np.ndarray | None = None) -> list[tesseract.OcrWord]:
        """A full-page pass (``cfg.psm``), e.g. for layout cues; boxes in prepared coordinates."""
        words = tesseract.recognize_words(
            prepared.gray if image is None else image,
            lang=self.cfg.lang,
            psm=self.cfg.psm,
            oem=self.cfg.oem,
            dpi=self.ocr_dpi(prepared),
            timeout=self._time_left(),
            variables=self.cfg.variables,
            user_words=self.user_words,
        )
        return self._repaired(words)

    def read_lines(
        self, prepared: PreparedPage, boxes: list[BBox], region_type: RegionType, image: np.ndarray | None = None
    ) -> RegionText:
        """OCR a region line by line (psm 7), one strip per box in prepared coordinates.

        For a paragraph whose typed baselines wander: in block mode Tesseract then cuts one typed line into
        several and interleaves their pieces, which one strip per line cannot do.
        """
        lines: list[Line] = []
        for box in boxes:
            words = tuple(w for ln in self._lines(prepared, box, region_type, image, psm=7) for w in ln.words)
            if words:
                conf = sum(w.confidence for w in words) / len(words)
                lines.append(
                    Line(" ".join(w.text for w in words), BBox.enclosing([w.bbox for w in words]), conf, words)
                )
        return self._region_text(lines, region_type)

    def _region_text(self, lines: list[Line], region_type: RegionType) -> RegionText:
        lines = [_initials_joined(ln) for ln in lines]
        if region_type is RegionType.BODY and self.cfg.lexicon_repair and "rus" in self.cfg.lang:
            lines = _sentence_cased([_split_words_joined(ln) for ln in _without_specks(lines)])
        if region_type is RegionType.TRANSMISSION_BLOCK and self.cfg.repair_lookalikes:
            lines = [ln for ln in (_telegraph_line(ln) for ln in lines) if ln.words]
        conf = sum(ln.confidence for ln in lines) / len(lines) if lines else 0.0
        return RegionText("\n".join(ln.text for ln in lines), tuple(lines), conf)

    def read(
        self,
        prepared: PreparedPage,
        box: BBox,
        region_type: RegionType,
        image: np.ndarray | None = None,
        psm: int | None = None,
    ) -> RegionText:
        """OCR one region (a box in prepared coordinates) with the mode that suits its type."""
        return self._region_text(self._lines(prepared, box, region_type, image, psm), region_type)

    def _lines(
        self, prepared: PreparedPage, box: BBox, region_type: RegionType, image: np.ndarray | None, psm: int | None
    ) -> list[Line]:
        """The repaired words Tesseract reads in ``box``, as lines in prepared coordinates."""
        from ..layout.grouping import lines_from_words

        src = prepared.gray if image is None else image
        pad = 6
        x0, y0 = max(0, box.x0 - pad), max(0, box.y0 - pad)
        x1, y1 = min(src.shape[1], box.x1 + pad), min(src.shape[0], box.y1 + pad)
        crop = src[y0:y1, x0:x1]
        if crop.size == 0:
            return []
        variables = dict(self.cfg.variables)
        if region_type is RegionType.FOLIO_NUMBER:
            variables["tessedit_char_whitelist"] = "0123456789"
        words = tesseract.recognize_words(
            crop,
            lang=self.cfg.lang,
            psm=psm if psm is not None else PSM_BY_TYPE.get(region_type, 6),
            oem=self.cfg.oem,
            dpi=self.ocr_dpi(prepared),
            timeout=self._time_left(),
            variables=variables,
            user_words=self.user_words,
        )
        words = self._repaired(words)
        return [
            Line(
                ln.text,
                _shift(ln.bbox, x0, y0),
                ln.confidence,
                tuple(Word(w.text, _shift(w.bbox, x0, y0), w.confidence) for w in ln.words),
            )
            for ln in lines_from_words(words)
        ]


def _sentence_cased(lines: list[Line]) -> list[Line]:
    """Lines with the capitals misread inside a sentence lowered, the sentence followed across line ends."""
    read = [w for ln in lines for w in ln.words]
    tokens = lexicon.sentence_case([w.text for w in read], [w.confidence < _UNSURE for w in read])
    out, i = [], 0
    for ln in lines:
        out.append(
            ln.with_words([replace(w, text=t) for w, t in zip(ln.words, tokens[i : i + len(ln.words)], strict=True)])
        )
        i += len(ln.words)
    return out


def _initials_joined(line: Line) -> Line:
    """``line`` with initials typed against the surname (``И.Д.БАГИРОВ``) kept against it.

    On a typewriter every character takes the same width, so the gap after an initial's period is well under a
    character's width unless a space was typed; Tesseract puts a space there all the same.
    """
    sized = [w.bbox.width / len(w.text) for w in line.words if len(w.text) >= 4]
    if len(line.words) < 2 or not sized:
        return line
    pitch = sorted(sized)[len(sized) // 2]
    words = [line.words[0]]
    for w in line.words[1:]:
        prev = words[-1]
        if _INITIALS.match(prev.text) and w.text[:1].isupper() and w.bbox.x0 - prev.bbox.x1 < _JOINED_GAP * pitch:
            words[-1] = Word.spanning(prev.text + w.text, [prev, w])
        else:
            words.append(w)
    return line if len(words) == len(line.words) else line.with_words(words)


def _speck(word: Word) -> bool:
    """A word that is only marks read with little confidence: no letter, no number of two digits (``№.``,
    ``-``, ``2``): specks of stamp ink or dirt beside the typing."""
    return word.confidence < _SPECK and not any(ch.isalpha() for ch in word.text) and not re.search(r"\d\d", word.text)


def _stray(word: Word, line: tuple[Word, ...], line_height: int) -> bool:
    """A scrap of one or two letters read with little confidence far out from the rest of its line (``д.`` at
    the end of a paragraph's last line): stamp ink or dirt taken for a letter."""
    if word.confidence >= _SPECK or sum(ch.isalpha() for ch in word.text) > 2:
        return False
    others = [w.bbox for w in line if w is not word]
    if not others:
        return False
    gap = min(max(word.bbox.x0 - b.x1, b.x0 - word.bbox.x1) for b in others)
    return gap > _STRAY_GAP * line_height


def _without_specks(lines: list[Line]) -> list[Line]:
    out = []
    for ln in lines:
        words = tuple(w for w in ln.words if not _speck(w))
        words = tuple(w for w in words if not _stray(w, words, ln.bbox.height))
        if words:
            out.append(ln if len(words) == len(ln.words) else ln.with_words(words))
    return out


def _split_words_joined(line: Line) -> Line:
    """``line`` with the words Tesseract split at a wide letter gap made one again (:func:`lexicon.joined`)."""
    words = list(line.words)
    i = 0
    while i + 1 < len(words):
        whole = lexicon.joined(words[i].text, words[i + 1].text)
        if whole is None:
            i += 1
        else:
            words[i : i + 2] = [Word.spanning(whole, words[i : i + 2])]
    return line if len(words) == len(line.words) else line.with_words(words)


def _telegraph_line(line: Line) -> Line:
    """A line of a transmission block with the form's labels, rules and capitals (:func:`telegraph_tokens`)."""
    tokens = postprocess.telegraph_tokens([w.text for w in line.words])
    return line.with_words([part for w, t in zip(line.words, tokens, strict=True) if t for part in _split_word(w, t)])


def _split_word(word: Word, text: str) -> list[Word]:
    """``word`` with new ``text``; where that has spaces, as one word per part, the box shared out by letters."""
    parts = text.split(" ")
    if len(parts) == 1:
        return [replace(word, text=text)]
    out, x, per_char = [], float(word.bbox.x0), word.bbox.width / max(1, len(text))
    for part in parts:
        x1 = min(word.bbox.x1, round(x + per_char * len(part)))
        out.append(Word(part, BBox(round(x), word.bbox.y0, max(x1, round(x) + 1), word.bbox.y1), word.confidence))
        x += per_char * (len(part) + 1)
    return out


def _shift(box: BBox, dx: int, dy: int) -> BBox:
    return BBox(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy)
