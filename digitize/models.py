"""The data that crosses pipeline stages.

Every container here is a frozen dataclass that serialises to plain JSON (``to_dict``) and back
(``from_dict``). Boxes and polygons are always in the pixel coordinates of the original scan image as
given, before any rotation, deskew or rescaling done for OCR, so that an exported region can be drawn
straight onto the file the archivist holds.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Version of the document JSON written as ``OUT/<doc>/<doc>.json``; bump on incompatible changes.
DOCUMENT_SCHEMA = "digitize.document/1"


class RegionType(enum.StrEnum):
    """The one vocabulary of region types, shared by layout, synth, exporters and evaluation."""

    BODY = "body"
    ADDRESSEE = "addressee"
    MARGINALIA = "marginalia"
    STAMP = "stamp"
    ARCHIVE_REFERENCE = "archive_reference"
    SIGNATURE = "signature"
    FOLIO_NUMBER = "folio_number"
    DATE_LINE = "date_line"
    TRANSMISSION_BLOCK = "transmission_block"


@dataclass(frozen=True)
class BBox:
    """Axis-aligned box, ``x1``/``y1`` exclusive, in original-scan pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return max(0, self.x1 - self.x0)

    @property
    def height(self) -> int:
        return max(0, self.y1 - self.y0)

    @property
    def area(self) -> int:
        return self.width * self.height

    def intersection(self, other: BBox) -> int:
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(0, w) * max(0, h)

    def iou(self, other: BBox) -> float:
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union else 0.0

    def union(self, other: BBox) -> BBox:
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def polygon(self) -> list[tuple[int, int]]:
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]

    def to_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def from_list(cls, values: list[int] | tuple[int, ...]) -> BBox:
        x0, y0, x1, y1 = (int(v) for v in values)
        return cls(x0, y0, x1, y1)

    @classmethod
    def enclosing(cls, boxes: list[BBox]) -> BBox:
        if not boxes:
            raise ValueError("no boxes to enclose")
        out = boxes[0]
        for b in boxes[1:]:
            out = out.union(b)
        return out


@dataclass(frozen=True)
class Word:
    text: str
    bbox: BBox
    confidence: float  # 0..1

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "bbox": self.bbox.to_list(), "confidence": round(self.confidence, 4)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        return cls(d["text"], BBox.from_list(d["bbox"]), float(d["confidence"]))

    @classmethod
    def spanning(cls, text: str, parts: Sequence[Word]) -> Word:
        """One word read as ``text`` where ``parts`` were read: their box, their lowest confidence."""
        return cls(text, BBox.enclosing([p.bbox for p in parts]), min(p.confidence for p in parts))


@dataclass(frozen=True)
class Line:
    text: str
    bbox: BBox
    confidence: float  # 0..1
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "bbox": self.bbox.to_list(),
            "confidence": round(self.confidence, 4),
            "words": [w.to_dict() for w in self.words],
        }

    def with_words(self, words: Sequence[Word]) -> Line:
        """This line with its words replaced, its text following them (its box and confidence kept)."""
        return replace(self, text=" ".join(w.text for w in words), words=tuple(words))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Line:
        return cls(
            d["text"],
            BBox.from_list(d["bbox"]),
            float(d["confidence"]),
            tuple(Word.from_dict(w) for w in d.get("words", [])),
        )


@dataclass(frozen=True)
class Region:
    """A labelled area of a page and what was read in it.

    ``fields`` holds data parsed out of the text (the fond/opis/delo of an archive reference, the ISO
    date of a date line, the times of a transmission block); ``flags`` holds remarks such as
    ``low_confidence`` for handwriting Tesseract could not read.
    """

    id: str
    type: RegionType
    bbox: BBox
    text: str = ""
    confidence: float = 0.0
    lines: tuple[Line, ...] = ()
    polygon: tuple[tuple[int, int], ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        poly = self.polygon or tuple(self.bbox.polygon())
        out: dict[str, Any] = {
            "id": self.id,
            "type": str(self.type),
            "bbox": self.bbox.to_list(),
            "polygon": [list(p) for p in poly],
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "lines": [ln.to_dict() for ln in self.lines],
        }
        if self.fields:
            out["fields"] = self.fields
        if self.flags:
            out["flags"] = list(self.flags)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Region:
        return cls(
            id=d["id"],
            type=RegionType(d["type"]),
            bbox=BBox.from_list(d["bbox"]),
            text=d.get("text", ""),
            confidence=float(d.get("confidence", 0.0)),
            lines=tuple(Line.from_dict(x) for x in d.get("lines", [])),
            polygon=tuple((int(p[0]), int(p[1])) for p in d.get("polygon", [])),
            fields=dict(d.get("fields", {})),
            flags=tuple(d.get("flags", [])),
        )


@dataclass(frozen=True)
class ProcessingStep:
    """What one stage did to a page and with which settings (angle found, border removed, ...)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.params, "result": self.result}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProcessingStep:
        return cls(d["name"], dict(d.get("params", {})), dict(d.get("result", {})))


@dataclass(frozen=True)
class PageResult:
    """One page read: its geometry, the regions in reading order, and the steps that produced them."""

    number: int  # 1-based within the document
    source: str
    width: int
    height: int
    dpi: float
    regions: tuple[Region, ...] = ()
    rotation: int = 0  # degrees clockwise applied to make the page upright (0, 90, 180, 270)
    skew_deg: float = 0.0
    steps: tuple[ProcessingStep, ...] = ()
    seconds: float = 0.0

    @property
    def text(self) -> str:
        """Plain text of the page, regions in reading order, separated by a blank line.

        Stamps are left out: archive transcriptions (the ground truth here included) do not transcribe them,
        and the ``.txt`` is meant to read as a transcription does. A stamp's text stays in its region (JSON,
        PAGE, ALTO, hOCR) and in the PDF's text layer, where it can be searched.
        """
        return "\n\n".join(r.text for r in self.regions if r.text.strip() and r.type is not RegionType.STAMP)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
            "rotation": self.rotation,
            "skew_deg": round(self.skew_deg, 3),
            "regions": [r.to_dict() for r in self.regions],
            "preprocessing": [s.to_dict() for s in self.steps],
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PageResult:
        return cls(
            number=int(d["number"]),
            source=d["source"],
            width=int(d["width"]),
            height=int(d["height"]),
            dpi=float(d["dpi"]),
            regions=tuple(Region.from_dict(r) for r in d.get("regions", [])),
            rotation=int(d.get("rotation", 0)),
            skew_deg=float(d.get("skew_deg", 0.0)),
            steps=tuple(ProcessingStep.from_dict(s) for s in d.get("preprocessing", [])),
            seconds=float(d.get("seconds", 0.0)),
        )

    def with_regions(self, regions: tuple[Region, ...]) -> PageResult:
        return replace(self, regions=regions)


@dataclass(frozen=True)
class DocumentResult:
    name: str
    source: str
    pages: tuple[PageResult, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Pages separated by form feed, as in the ``.txt`` export."""
        return "\f".join(p.text for p in self.pages)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": DOCUMENT_SCHEMA,
            "document": self.name,
            "source": self.source,
            "pages": [p.to_dict() for p in self.pages],
        }
        if self.metadata:
            out["metadata"] = self.metadata
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocumentResult:
        return cls(
            name=d["document"],
            source=d.get("source", ""),
            pages=tuple(PageResult.from_dict(p) for p in d["pages"]),
            metadata=dict(d.get("metadata", {})),
        )


@dataclass(frozen=True)
class PageSource:
    """Where one page comes from: a file, and the frame index inside it (multi-page TIFF or PDF)."""

    path: Path
    index: int = 0
    kind: str = "image"  # "image" or "pdf"
    frames: int = 1  # pages in the file

    @property
    def label(self) -> str:
        """The file name, with ``#n`` for page n of a multi-page file or PDF."""
        return f"{self.path.name}#{self.index + 1}" if self.frames > 1 or self.kind == "pdf" else self.path.name


@dataclass(frozen=True)
class DocumentSource:
    """One document found in the input folder: a sub-folder of images, one image file, or one PDF."""

    name: str
    path: Path
    pages: tuple[PageSource, ...]


@dataclass(frozen=True, eq=False)
class PageImage:
    """A loaded page: RGB pixels (``uint8``, H x W x 3) as the scan gives them, EXIF orientation applied."""

    pixels: Any  # numpy.ndarray; typed loosely so this module does not import numpy
    dpi: float
    source: PageSource
    number: int  # 1-based within the document

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True, eq=False)
class PreparedPage:
    """A page made ready for OCR, and the way back to the original scan's coordinates.

    ``gray`` is what Tesseract reads (deskewed, rotated upright, rescaled, cleaned); ``color`` is the
    same geometry in colour, for ink separation in layout. A point (x, y) of the prepared images maps
    to the original scan by :meth:`to_original`: undo the scale, then the rotation/deskew affine.
    """

    page: PageImage
    gray: Any  # numpy uint8 H x W
    color: Any  # numpy uint8 H x W x 3, same geometry as ``gray``
    dpi: float  # resolution of the prepared images
    # 2x3 affine matrix mapping prepared-image pixels to original-scan pixels
    to_original_matrix: tuple[tuple[float, float, float], tuple[float, float, float]] = ((1, 0, 0), (0, 1, 0))
    rotation: int = 0
    skew_deg: float = 0.0
    steps: tuple[ProcessingStep, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # further images a stage offers (e.g. "ink_free")

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        (a, b, c), (d, e, f) = self.to_original_matrix
        return a * x + b * y + c, d * x + e * y + f

    def box_to_original(self, box: BBox) -> BBox:
        """The original-scan box enclosing a prepared-image box (corners mapped, clipped to the page)."""
        pts = [self.to_original(x, y) for x, y in box.polygon()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        w, h = self.page.width, self.page.height
        return BBox(
            max(0, int(min(xs))), max(0, int(min(ys))), min(w, int(round(max(xs)))), min(h, int(round(max(ys))))
        )

    def polygon_to_original(self, polygon: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        return tuple((int(round(x)), int(round(y))) for x, y in (self.to_original(px, py) for px, py in polygon))
