"""Grouping Tesseract's words into lines and blocks."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..models import BBox, Line, Region, RegionType, Word

if TYPE_CHECKING:
    from ..ocr.tesseract import OcrWord


def lines_from_words(words: list[OcrWord]) -> list[Line]:
    """Group Tesseract words into lines by their (block, paragraph, line) numbers, in Tesseract's order."""
    groups: dict[tuple[int, int, int], list[OcrWord]] = defaultdict(list)
    for w in words:
        groups[(w.block, w.par, w.line)].append(w)
    lines = []
    for key in sorted(groups):
        ws = sorted(groups[key], key=lambda w: w.word)
        out_words = tuple(Word(w.text, BBox(w.left, w.top, w.right, w.bottom), max(0.0, w.conf) / 100.0) for w in ws)
        box = BBox.enclosing([w.bbox for w in out_words])
        conf = sum(w.confidence for w in out_words) / len(out_words)
        lines.append(Line(" ".join(w.text for w in out_words), box, conf, out_words))
    return lines


def regions_from_blocks(words: list[OcrWord], page_prefix: str = "r") -> list[Region]:
    """One ``body`` region per Tesseract block: the layout used when no detector is configured."""
    by_block: dict[int, list[OcrWord]] = defaultdict(list)
    for w in words:
        by_block[w.block].append(w)
    regions = []
    for n, block in enumerate(sorted(by_block), start=1):
        lines = lines_from_words(by_block[block])
        box = BBox.enclosing([ln.bbox for ln in lines])
        conf = sum(ln.confidence for ln in lines) / len(lines)
        regions.append(
            Region(
                id=f"{page_prefix}{n}",
                type=RegionType.BODY,
                bbox=box,
                text="\n".join(ln.text for ln in lines),
                confidence=conf,
                lines=tuple(lines),
            )
        )
    return regions
