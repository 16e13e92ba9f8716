"""A paragraph the first pass read must not come out empty when its block re-reading fails."""

from __future__ import annotations

from pathlib import Path

from digitize.config import RunConfig
from digitize.models import PageSource
from digitize.pipeline import process_page
from digitize.sources import load_page
from digitize.synth import preset
from digitize.synth.corpus import _render_one


def test_paragraph_over_the_ghost_of_the_verso_keeps_its_text(tmp_path: Path) -> None:
    # corpus page 8 of seed 101: block mode (psm 6) returns nothing for its second paragraph, whose lines
    # have the verso's typing showing through between them (Tesseract's Otsu takes the ghost for ink)
    image = _render_one((7, 101, preset("typical"), tmp_path, tmp_path, 300.0, "typical"))
    truth = (tmp_path / "0008.gt.txt").read_text(encoding="utf-8")
    assert "Командование нервно тута мелочь" in truth
    cfg = RunConfig()
    result = process_page(load_page(PageSource(image), 1, cfg.input), cfg)
    assert "Командование нервно тута мелочь" in result.text
    assert "Тысяча космос выбирать" in result.text


def test_a_word_the_re_reading_garbled_is_taken_from_the_first_pass_where_that_read_a_word() -> None:
    from digitize.layout import _second_opinion
    from digitize.layout.detect import TypedLine
    from digitize.models import BBox, Line, Word
    from digitize.ocr.tesseract import OcrWord

    def ocr_word(text: str, x: int) -> OcrWord:
        return OcrWord(block=1, par=1, line=1, word=1, left=x, top=100, width=230, height=40, conf=80.0, text=text)

    reread = Line(
        "усиленное со средоточени® Тавриза",
        BBox(0, 100, 1000, 140),
        0.5,
        (
            Word("усиленное", BBox(0, 100, 180, 140), 0.9),
            Word("со", BBox(200, 100, 240, 140), 0.3),
            Word("средоточени®", BBox(250, 100, 430, 140), 0.3),
            Word("Тавриза", BBox(450, 100, 630, 140), 0.4),
        ),
    )
    first_pass = [
        TypedLine(
            [ocr_word("усиленное", 0), ocr_word("сосредоточение", 200), ocr_word("Тазриза", 450)],
            BBox(0, 100, 630, 140),
        )
    ]
    other = [(BBox(f.left, f.top, f.right, f.bottom), f.text) for ln in first_pass for f in ln.words]
    (line,) = _second_opinion((reread,), other)
    # the garbled word is replaced where the first pass read a known word; a name unknown to both is left
    assert line.text == "усиленное сосредоточение Тавриза"
    assert line.words[1].bbox == BBox(200, 100, 430, 140)
    # a name the dictionary lacks is never made a common word another reading saw in its place
    (line,) = _second_opinion((reread,), [(BBox(450, 100, 630, 140), "такова")])
    assert line.words[-1].text == "Тавриза"
