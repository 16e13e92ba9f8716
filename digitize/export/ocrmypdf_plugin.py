"""OCRmyPDF plugin that lays digitize's own page results into the PDF's text layer.

digitize reads each page itself (preprocessing, layout, region-wise OCR); OCRmyPDF then builds the
PDF/A around the untouched scan images. This plugin is the bridge: its :class:`DigitizeOcrEngine`
answers OCRmyPDF's ``generate_ocr`` for page *n* with the words digitize already found, scaled from
digitize's pixel grid to the image OCRmyPDF rasterised, grouped by region (``ocr_carea``) so the
text layer follows digitize's reading order rather than Tesseract's.

The results reach the engine as a JSON file named by the ``digitize_results`` option, so OCRmyPDF's
worker processes can read them without shared state.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.hocrtransform import Baseline, BoundingBox, OcrClass, OcrElement
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image

from ..models import BBox, DocumentResult, PageResult

ENGINE_NAME = "digitize"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> DocumentResult:
    return DocumentResult.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _results(options: Any) -> DocumentResult:
    path = getattr(options, "digitize_results", None)
    if not path:
        raise RuntimeError("the digitize OCRmyPDF engine needs the digitize_results option")
    return _load(str(path), Path(path).stat().st_mtime)


def _scaled(box: BBox, sx: float, sy: float) -> BoundingBox:
    return BoundingBox(left=box.x0 * sx, top=box.y0 * sy, right=box.x1 * sx, bottom=box.y1 * sy)


def page_element(page: PageResult, width: int, height: int, dpi: float, page_number: int) -> OcrElement:
    """The OcrElement tree of one page: regions as ``ocr_carea``, then lines, then words."""
    sx, sy = width / page.width, height / page.height
    areas = []
    for region in page.regions:
        lines = []
        for line in region.lines:
            words = [
                OcrElement(
                    ocr_class=OcrClass.WORD,
                    bbox=_scaled(w.bbox, sx, sy),
                    text=w.text,
                    confidence=w.confidence,
                )
                for w in line.words
                if w.text.strip() and w.bbox.area > 0
            ]
            if not words:
                continue
            # Typewriter descenders take about a fifth of the line box; without a baseline the
            # renderer sets words on the box bottom and text extractors split lines apart.
            baseline = Baseline(slope=0.0, intercept=-round(0.2 * line.bbox.height * sy, 1))
            lines.append(
                OcrElement(ocr_class=OcrClass.LINE, bbox=_scaled(line.bbox, sx, sy), baseline=baseline, children=words)
            )
        if lines:
            par = OcrElement(ocr_class=OcrClass.PARAGRAPH, bbox=_scaled(region.bbox, sx, sy), children=lines)
            areas.append(OcrElement(ocr_class=OcrClass.CAREA, bbox=_scaled(region.bbox, sx, sy), children=[par]))
    return OcrElement(
        ocr_class=OcrClass.PAGE,
        bbox=BoundingBox(left=0, top=0, right=width, bottom=height),
        dpi=float(dpi),
        page_number=page_number,
        children=areas,
    )


class DigitizeOcrEngine(OcrEngine):
    """Serves precomputed digitize results to OCRmyPDF instead of running an OCR engine."""

    @staticmethod
    def version() -> str:
        from .. import __version__

        return __version__

    @staticmethod
    def creator_tag(options: Any) -> str:
        from .. import __version__

        return f"digitize {__version__} (Tesseract)"

    def __str__(self) -> str:
        return "digitize"

    @staticmethod
    def languages(options: Any) -> set[str]:
        return {"rus", "eng", "osd"} | set(getattr(options, "languages", []) or [])

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> OrientationConfidence:
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options: Any) -> float:
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: Any, page_number: int = 0) -> tuple[OcrElement, str]:
        doc = _results(options)
        with Image.open(input_file) as img:
            width, height = img.size
            raw = img.info.get("dpi", (300, 300))
            dpi = float(raw[0] if isinstance(raw, tuple) else raw)
        if page_number >= len(doc.pages):
            return OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(0, 0, width, height), dpi=dpi), ""
        page = doc.pages[page_number]
        return page_element(page, width, height, dpi, page_number), page.text

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        raise NotImplementedError("digitize serves OcrElement trees through generate_ocr")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        raise NotImplementedError("digitize serves OcrElement trees through generate_ocr")


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine | None:
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", ENGINE_NAME):
        return None
    return DigitizeOcrEngine()
