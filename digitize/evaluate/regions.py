"""Accuracy per ground-truth region: which output lines fall in it, and how well they read.

Each output line (or an output region with no lines) is given to the ground-truth region that covers most
of its box, if that region covers at least :data:`MIN_COVER` of it; the lines a region receives, in the
output's reading order, are its OCR text. So a marginal note read into the body region still counts for
the marginalia, where the transcriber put it, and output text outside every ground-truth region is
reported on its own (it is usually noise, or something the transcriber left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import BBox, PageResult, RegionType
from .metrics import EditCounts, character_errors

#: Share of an output line's box that must lie inside a ground-truth region for the line to count there.
MIN_COVER = 0.5


@dataclass(frozen=True)
class RegionAccuracy:
    """One ground-truth region against the output text found inside it."""

    id: str
    type: RegionType
    bbox: BBox
    ground_truth: str
    ocr: str
    chars: EditCounts
    # characters of the OCR text that came from output regions labelled with the same type
    same_type_chars: int
    output_types: tuple[str, ...]

    @property
    def type_agreement(self) -> float:
        """Share of the OCR text (in characters) whose output region has the ground truth's type."""
        total = len(self.ocr.replace("\n", ""))
        return self.same_type_chars / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": str(self.type),
            "bbox": self.bbox.to_list(),
            "cer": round(self.chars.rate, 6),
            "chars": self.chars.to_dict(),
            "output_types": list(self.output_types),
            "type_agreement": round(self.type_agreement, 6),
            "ground_truth": self.ground_truth,
            "ocr": self.ocr,
        }


@dataclass(frozen=True)
class _Unit:
    text: str
    bbox: BBox
    type: str
    order: int


def _units(page: PageResult) -> list[_Unit]:
    out: list[_Unit] = []
    for region in page.regions:
        if region.lines:
            out.extend(_Unit(ln.text, ln.bbox, str(region.type), len(out) + i) for i, ln in enumerate(region.lines))
        elif region.text.strip():
            out.append(_Unit(region.text, region.bbox, str(region.type), len(out)))
    return out


def _region_text(region: Any) -> str:
    if region.text.strip() or not region.lines:
        return str(region.text)
    return "\n".join(ln.text for ln in region.lines)


def evaluate_regions(
    ground_truth: PageResult, output: PageResult, normalize: Callable[[str], str]
) -> tuple[tuple[RegionAccuracy, ...], str]:
    """Per-region accuracy of ``output`` against ``ground_truth``'s regions, and the output text outside them."""
    gt_regions = [r for r in ground_truth.regions if r.bbox.area > 0]
    assigned: dict[int, list[_Unit]] = {i: [] for i in range(len(gt_regions))}
    outside: list[_Unit] = []
    for unit in _units(output):
        area = unit.bbox.area
        best, best_cover = -1, 0.0
        for i, region in enumerate(gt_regions):
            cover = region.bbox.intersection(unit.bbox) / area if area else 0.0
            if cover > best_cover:
                best, best_cover = i, cover
        if best >= 0 and best_cover >= MIN_COVER:
            assigned[best].append(unit)
        elif unit.text.strip():
            outside.append(unit)
    results = []
    for i, region in enumerate(gt_regions):
        units = sorted(assigned[i], key=lambda u: u.order)
        ocr = "\n".join(u.text for u in units)
        gt_text = _region_text(region)
        same = sum(len(u.text.replace("\n", "")) for u in units if u.type == str(region.type))
        types = tuple(dict.fromkeys(u.type for u in units))
        results.append(
            RegionAccuracy(
                region.id,
                region.type,
                region.bbox,
                gt_text,
                ocr,
                character_errors(normalize(gt_text), normalize(ocr)),
                same,
                types,
            )
        )
    return tuple(results), "\n".join(u.text for u in outside)


def by_type(regions: list[RegionAccuracy]) -> dict[str, EditCounts]:
    """Character counts summed per region type, in the order of :class:`RegionType`."""
    out: dict[str, EditCounts] = {}
    for rtype in RegionType:
        chosen = [r.chars for r in regions if r.type == rtype]
        if chosen:
            total = chosen[0]
            for c in chosen[1:]:
                total = total + c
            out[str(rtype)] = total
    return out
