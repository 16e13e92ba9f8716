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
