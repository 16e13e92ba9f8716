"""Reading order: top to bottom in bands, left to right within a band, each page's folio number last.

A band is a run of regions whose vertical extents overlap (a marginal note beside a paragraph, two telegraph
blocks side by side). Within a band, regions stacked in one column are read top to bottom before the next
column to the right, except that a region wholly above another is read before it. The folio number goes
last because archive transcriptions, the ground truth here included, write it where the page ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..models import BBox, RegionType

T = TypeVar("T")


def _vertical_overlap(a: BBox, b: BBox) -> int:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


def reading_order(items: list[T], box: Callable[[T], BBox], kind: Callable[[T], RegionType]) -> list[T]:
    """``items`` in reading order; ``box`` and ``kind`` tell each item's box and type."""
    folios = [it for it in items if kind(it) is RegionType.FOLIO_NUMBER]
    rest = sorted((it for it in items if kind(it) is not RegionType.FOLIO_NUMBER), key=lambda it: box(it).y0)
    bands: list[list[T]] = []
    extent: list[BBox] = []
    for it in rest:
        b = box(it)
        if bands and _vertical_overlap(extent[-1], b) > 0.5 * min(b.height, _min_height(bands[-1], box)):
            bands[-1].append(it)
            extent[-1] = extent[-1].union(b)
        else:
            bands.append([it])
            extent.append(b)
    out: list[T] = []
    for band in bands:
        out.extend(_columns(band, box))
    folios.sort(key=lambda it: (box(it).y0, box(it).x0))
    return out + folios


def _min_height(band: list[T], box: Callable[[T], BBox]) -> int:
    return min(box(it).height for it in band)


def _columns(band: list[T], box: Callable[[T], BBox]) -> list[T]:
    """Regions of a band: columns (by horizontal overlap) left to right, each read top to bottom."""
    columns: list[list[T]] = []
    spans: list[tuple[int, int]] = []
    for it in sorted(band, key=lambda it: box(it).x0):
        b = box(it)
        for k, (x0, x1) in enumerate(spans):
            if min(x1, b.x1) - max(x0, b.x0) > 0.5 * min(b.width, x1 - x0):
                columns[k].append(it)
                spans[k] = (min(x0, b.x0), max(x1, b.x1))
                break
        else:
            columns.append([it])
            spans.append((b.x0, b.x1))
    out: list[T] = []
    for col in columns:
        for it in sorted(col, key=lambda it: box(it).y0):
            # a region wholly above one already placed (a signer's name above the date line in the column to
            # its left, joined into one band by a tall stamp or scrawl) is read before it
            b = box(it)
            at = next((k for k, o in enumerate(out) if _wholly_below(box(o), b)), len(out))
            out.insert(at, it)
    return out


def _wholly_below(lower: BBox, upper: BBox) -> bool:
    """Whether ``lower`` starts below ``upper`` ends, by a clear gap (a fifth of the shorter one's height)."""
    return lower.y0 - upper.y1 > 0.2 * min(lower.height, upper.height)
