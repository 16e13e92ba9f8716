"""Layout: where the regions of a page are, what type each is, and in which order they are read."""

from __future__ import annotations

from dataclasses import replace

from ..models import Line, PreparedPage, Region
from ..ocr.reader import RegionReader
from .grouping import regions_from_blocks


def _line_to_original(prepared: PreparedPage, line: Line) -> Line:
    return replace(
        line,
        bbox=prepared.box_to_original(line.bbox),
        words=tuple(replace(w, bbox=prepared.box_to_original(w.bbox)) for w in line.words),
    )


def to_original(prepared: PreparedPage, region: Region) -> Region:
    """A region found on the prepared image, moved into the original scan's coordinates."""
    box = prepared.box_to_original(region.bbox)
    return replace(
        region,
        bbox=box,
        polygon=prepared.polygon_to_original(list(region.polygon)) if region.polygon else tuple(box.polygon()),
        lines=tuple(_line_to_original(prepared, ln) for ln in region.lines),
    )


def analyse(prepared: PreparedPage, reader: RegionReader, page_prefix: str = "r") -> list[Region]:
    """Regions of a page in reading order, in original-scan coordinates.

    First version: one ``body`` region per Tesseract block of a full-page pass.
    """
    words = reader.page_words(prepared)
    return [to_original(prepared, r) for r in regions_from_blocks(words, page_prefix=page_prefix)]


__all__ = ["analyse", "to_original"]
