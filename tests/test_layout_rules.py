"""Layout rules added for the held-out corpus and the hard facsimile: where a typed line ends, a scrawl under a
framed stamp, a signer's name as the OCR garbles it, handwriting boxes, a frame that is a stamp's."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitize.config import LayoutConfig
from digitize.layout import classify, detect, find_candidates, ink
from digitize.layout.detect import TypedLine
from digitize.models import BBox, PageImage, PageSource, PreparedPage, RegionType
from digitize.ocr.tesseract import OcrWord

PAPER = (232, 224, 200)
VIOLET = (107, 51, 158)


def _prepared(rgb: np.ndarray, dpi: float = 300.0) -> PreparedPage:
    page = PageImage(rgb, dpi, PageSource(Path("drawn.png")), 1)
    return PreparedPage(page=page, gray=cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), color=rgb, dpi=dpi)


def _word(text: str, left: int, top: int, width: int, height: int = 30) -> OcrWord:
    return OcrWord(text=text, left=left, top=top, width=width, height=height, conf=90.0, block=1, par=1, line=1, word=1)


def _line(words: list[OcrWord]) -> TypedLine:
    return TypedLine(words, BBox.enclosing([BBox(w.left, w.top, w.right, w.bottom) for w in words]))


def _paragraph_lines() -> list[TypedLine]:
    # three lines of one paragraph; the OCR lost the last words of the second one (under a stamp)
    return [
        _line([_word("Четвертые", 100, 100, 300), _word("сутки", 420, 100, 1480)]),
        _line([_word("минометы", 100, 160, 300), _word("ведут", 420, 160, 700)]),
        _line([_word("Федаи,", 100, 220, 200), _word("неся", 320, 220, 1580)]),
    ]


def test_a_line_whose_last_words_the_ocr_lost_does_not_end_its_paragraph() -> None:
    lines = _paragraph_lines()
    assert len(classify.split_paragraphs(lines, 30)) == 2  # by the read words alone the second line ends short
    # ink runs on to the right margin: the line is full, the paragraph goes on
    assert len(classify.split_paragraphs(lines, 30, lambda ln, right: right)) == 1
    # the ink ends where the read words end: a short line, a new paragraph
    assert len(classify.split_paragraphs(lines, 30, lambda ln, right: ln.bbox.x1)) == 2


def test_a_scrawl_crossing_a_framed_stamp_is_split_off_it() -> None:
    rgb = np.full((1200, 1800, 3), PAPER, np.uint8)
    cv2.rectangle(rgb, (200, 300), (900, 620), VIOLET, 7)  # a registration stamp's double frame
    cv2.rectangle(rgb, (222, 322), (878, 598), VIOLET, 3)
    cv2.putText(rgb, "Bx. N 462", (280, 480), cv2.FONT_HERSHEY_SIMPLEX, 2.5, VIOLET, 6)
    # a signature in the same ink: a loop inside the frame, humps running out past its right side
    cv2.ellipse(rgb, (760, 470), (40, 70), 0, 0, 360, VIOLET, 4)
    pts = np.array([[800, 520], [900, 420], [960, 540], [1040, 410], [1120, 540], [1250, 430]], np.int32)
    cv2.polylines(rgb, [pts], False, VIOLET, 4)
    cv2.line(rgb, (760, 560), (1300, 560), VIOLET, 4)
    clusters = detect.colour_clusters(ink.separate(_prepared(rgb)), 300.0, min_stamp_mm=14.0)
    stamps = [c for c in clusters if c.shape]
    assert len(stamps) == 1 and stamps[0].shape == "box"
    assert stamps[0].bbox.x1 < 930  # the stamp ends at its frame, not at the scrawl's end
    scrawls = [c for c in clusters if not c.shape and c.bbox.x1 > 1200]
    assert len(scrawls) == 1
    assert scrawls[0].bbox.x0 < 740  # with its loop inside the frame
    assert scrawls[0].distinct  # split off on purpose: not a stroke across the stamp


def test_a_stamp_with_nothing_past_its_frame_is_left_whole() -> None:
    rgb = np.full((1000, 1400, 3), PAPER, np.uint8)
    cv2.rectangle(rgb, (200, 300), (900, 620), VIOLET, 7)
    cv2.putText(rgb, "Bx. N 462", (280, 480), cv2.FONT_HERSHEY_SIMPLEX, 2.5, VIOLET, 6)
    clusters = detect.colour_clusters(ink.separate(_prepared(rgb)), 300.0, min_stamp_mm=14.0)
    assert [c.shape for c in clusters] == ["box"]


def test_signer_names_as_the_ocr_garbles_them() -> None:
    for name in ("И.Д.БАГИРОВ", "И. И. МАЗЕННИКОВ", "БАГИРОВ И.Д.", "И.А .СУББОТИН", "С.$. ПРОХОРОВ", "Г.Ф ВОРОБЬЕВ"):
        assert classify.looks_like_name(name), name
    for text in ("Т.е. подписали", "В ЦК ВКП", "А. Б"):
        assert not classify.looks_like_name(text), text


def test_a_frame_drawn_by_a_stamp_is_no_transmission_block() -> None:
    rgb = np.full((1400, 2000, 3), PAPER, np.uint8)
    # a violet framed archive stamp whose frame's outer edge is dark and grey enough to pass for a ruled line
    cv2.rectangle(rgb, (1100, 120), (1700, 330), VIOLET, 6)
    cv2.rectangle(rgb, (1092, 112), (1708, 338), (40, 38, 42), 3)
    prepared = _prepared(rgb)
    masks = ink.separate(prepared)
    words = [_word("328", 1300, 200, 90, 40), _word("текст", 200, 800, 200, 40)]
    assert detect.ruled_boxes(masks.dark, 300.0)  # the frame is ruled ...
    cands = find_candidates(prepared, masks, words, LayoutConfig())
    assert not [c for c in cands if c.type is RegionType.TRANSMISSION_BLOCK]


def test_an_addressee_opener_the_ocr_garbled_still_opens_an_addressee() -> None:
    for line in ("Сехретарю ЦК ВКП(б) товарищу", "Предсегзтелю Совета", "Тозарищу ЗАХАРОВ", "Товарищу СТАЛИНУ"):
        assert classify.opens_addressee(line), line
    for line in ("Секретные данные", "Направляем вам", "Министерство", "Со своей стороны"):
        assert not classify.opens_addressee(line), line
    box = BBox(1300, 600, 2200, 700)
    assert classify.block_type("Сехретарю ЦК ВКП(б) товарищу\nЖДАНОВУ", box, 2, 2480, 3500)[0] is RegionType.ADDRESSEE


def test_a_bare_g_is_no_date_line_and_specks_far_apart_are_no_typed_line() -> None:
    box = BBox(200, 350, 1000, 380)
    assert classify.block_type("с Г", box, 1, 1900, 2700)[0] is not RegionType.DATE_LINE
    assert classify.block_type("25.X.41 г.", box, 1, 1900, 2700)[0] is RegionType.DATE_LINE
    assert classify.block_type('" " апреля 1946 года', box, 1, 1900, 2700)[0] is RegionType.DATE_LINE
    specks = _line([_word("с", 220, 355, 16, 16), _word("Г", 1010, 355, 24, 22)])
    typed = _line([_word('"28"', 220, 355, 90), _word("апреля", 330, 355, 170), _word("1944", 520, 355, 110)])
    assert detect.typed_lines([specks, typed], 30, line_height=30) == [typed]
