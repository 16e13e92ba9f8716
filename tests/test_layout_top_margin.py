"""Typing that starts high on a page (a continued page, a cropped copy) is body text, short lines included."""

from __future__ import annotations

from digitize.layout.detect import group_lines, typed_lines
from digitize.ocr.tesseract import OcrWord

LINE_H = 25
PAGE_W = 1200
TOP_MARGIN = 600


def _line(y: int, x0: int, texts: list[str]) -> list[OcrWord]:
    words, x = [], x0
    for i, t in enumerate(texts):
        words.append(OcrWord(1, 1, y, i, x, y, 20 * len(t), 22, 90.0, t))
        x += 20 * len(t) + 20
    return words


def test_short_lines_continuing_typing_in_the_top_margin_are_kept_a_lone_note_is_not() -> None:
    words = (
        _line(150, 300, ["Выстрел", "Авроры", "возвестил", "миру", "о", "начале", "новой"])  # full width
        + _line(185, 300, ["над", "миром.Он", "смел", "в"])  # cut short where the OCR lost a word
        + _line(220, 300, ["ре,земле", "и", "власти."])  # the paragraph's last line
        + _line(40, 900, ["Вх.", "460"])  # a registration note above the text
    )
    lines = group_lines(words, LINE_H)
    kept = [ln.text for ln in typed_lines(lines, 45.0, None, LINE_H, TOP_MARGIN, PAGE_W)]
    assert "над миром.Он смел в" in kept and "ре,земле и власти." in kept
    assert "Вх. 460" not in kept


def test_pieces_of_one_typed_line_are_re_read_as_one_strip() -> None:
    from digitize.layout import _line_strips
    from digitize.layout.classify import Candidate
    from digitize.models import BBox, RegionType

    lines = group_lines(
        _line(150, 300, ["Октябрь,", "словно", "громовой", "раскат,", "прозвучал"])
        + _line(185, 300, ["над", "миром.Он"])
        + _line(186, 900, ["и", "старые"]),  # the same typed line, after a word the first pass lost
        LINE_H,
    )
    assert len(lines) == 3
    cand = Candidate(RegionType.BODY, BBox(300, 150, 1100, 208), lines=lines)
    strips = _line_strips(cand)
    assert len(strips) == 2 and strips[1].y0 <= 185 and strips[1].y1 >= 208
