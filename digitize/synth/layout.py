"""The layout description of a facsimile: where each region of each page sits and how it is made.

A layout is JSON (``ground_truth/<doc>/layout.json``)::

    {"paper_mm": [210, 297],
     "pages": [{"number": 1, "stem": "0001",
                "regions": [{"id": "folio", "type": "folio_number", "block": 13, "style": "hand",
                             "x": 188, "y": 8, "ink": "pencil"}, ...]}]}

Regions are listed in reading order. ``block`` is the index of the paragraph (blank-line separated block) of the
page's ``.gt.txt`` the region shows; ``text`` gives the text literally instead (corpus pages); a region with
neither (a stamp, a signature scrawl) carries no transcribed text. Positions are millimetres from the top-left
corner of the sheet. A typed region without ``y`` flows below the previous typed region, ``gap`` lines lower;
``anchor`` places a region relative to the first line of a typed region (``dx``/``dy`` in mm).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..models import RegionType

STYLES = ("typewriter", "hand", "stamp_round", "stamp_rect", "scrawl")


@dataclass(frozen=True)
class RegionSpec:
    """One region of a page: its type, its text and how and where it is put on the paper."""

    id: str
    type: RegionType
    style: str = "typewriter"
    block: int | None = None
    text: str | None = None
    x: float = 25.0
    y: float | None = None
    width: float | None = None  # typed: wrap width; stamps, scrawls, boxes: width (mm)
    height: float | None = None  # stamps, scrawls, boxes: height (mm)
    size: float = 12.0  # points
    line_spacing: float = 1.5
    indent: int = 0  # first-line indent, characters
    gap: float = 1.0  # flowed regions: blank lines above
    align: str = "left"
    ink: str = "ribbon"
    angle: float = 0.0  # degrees, counter-clockwise
    anchor: str | None = None
    dx: float = 0.0
    dy: float = 0.0
    box: tuple[float, float, float, float] | None = None  # ruled box (x, y, w, h mm) drawn with the region
    box_ink: str = "black"  # black: a printed ruling; an ink name: a rubber-stamped frame in that ink
    stamp_text: str = ""  # stamps: rim (round) or rows (rectangular), not transcribed
    stamp_center: str = ""
    over_text: bool = False  # stamps: drawn only when the knobs allow stamps over text
    optional: bool = False  # stamps: drawn with probability knobs.stamp_prob

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["type"] = str(self.type)
        defaults = RegionSpec(id="", type=RegionType.BODY)
        return {k: v for k, v in d.items() if k in ("id", "type") or v != getattr(defaults, k)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "") -> RegionSpec:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise UsageError(f"{where}unknown layout key(s): {', '.join(unknown)}")
        try:
            kw = dict(d)
            kw["type"] = RegionType(d["type"])
            if kw.get("box") is not None:
                kw["box"] = tuple(float(v) for v in kw["box"])
            spec = cls(**kw)
        except (KeyError, ValueError, TypeError) as err:
            raise UsageError(f"{where}bad layout region {d.get('id', '?')!r}: {err}") from None
        if spec.style not in STYLES:
            raise UsageError(f"{where}region {spec.id!r}: style must be one of {', '.join(STYLES)}")
        return spec


@dataclass(frozen=True)
class PageSpec:
    number: int
    stem: str
    regions: tuple[RegionSpec, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "stem": self.stem, "regions": [r.to_dict() for r in self.regions]}


@dataclass(frozen=True)
class LayoutSpec:
    pages: tuple[PageSpec, ...]
    paper_mm: tuple[float, float] = (210.0, 297.0)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"paper_mm": list(self.paper_mm)}
        if self.meta:
            out["meta"] = self.meta
        out["pages"] = [p.to_dict() for p in self.pages]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "") -> LayoutSpec:
        pages = []
        for p in d.get("pages", []):
            regions = tuple(RegionSpec.from_dict(r, where) for r in p.get("regions", []))
            ids = [r.id for r in regions]
            if len(set(ids)) != len(ids):
                raise UsageError(f"{where}page {p.get('number')}: region ids repeat")
            pages.append(PageSpec(int(p["number"]), str(p.get("stem", f"{int(p['number']):04d}")), regions))
        if not pages:
            raise UsageError(f"{where}layout has no pages")
        paper = tuple(float(v) for v in d.get("paper_mm", (210.0, 297.0)))
        return cls(tuple(pages), (paper[0], paper[1]), dict(d.get("meta", {})))


def load_layout(path: Path) -> LayoutSpec:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise UsageError(f"cannot read layout ({err})", path=path) from None
    return LayoutSpec.from_dict(data, where=f"{path}: ")


def split_blocks(text: str) -> list[str]:
    """Blocks of a ``.gt.txt``: paragraphs separated by blank lines, inner line breaks kept."""
    return [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
