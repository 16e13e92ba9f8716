"""The order of the stages, for one page and for one document. Nothing else decides it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fileio, layout, pagexml, preprocess
from .config import RunConfig
from .export import alto as alto_export
from .export import hocr as hocr_export
from .export import overlay as overlay_export
from .export import pdf as pdf_export
from .export import text as text_export
from .models import DocumentResult, DocumentSource, PageImage, PageResult
from .ocr.reader import RegionReader
from .sources import load_page

log = logging.getLogger(__name__)


def process_page(page: PageImage, cfg: RunConfig) -> PageResult:
    """Read one page: OCR, layout, regions in reading order, in original-scan coordinates."""
    t0 = time.perf_counter()
    prepared = preprocess.prepare(page, cfg.preprocess)
    regions = layout.analyse(prepared, RegionReader(cfg.ocr), page_prefix=f"p{page.number}r", cfg=cfg.layout)
    return PageResult(
        number=page.number,
        source=page.source.label,
        width=page.width,
        height=page.height,
        dpi=page.dpi,
        regions=tuple(regions),
        rotation=prepared.rotation,
        skew_deg=prepared.skew_deg,
        steps=prepared.steps,
        seconds=time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class DocumentOutputs:
    folder: Path
    pdf: Path | None
    text: Path
    json: Path
    hocr: Path
    alto: Path  # folder of <page>.alto.xml
    page_xml: Path  # folder of <page>.xml (PAGE 2019)
    overlays: Path  # folder of <page>.png with the regions drawn

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in self.__dict__.items()}


def outputs_for(out_dir: Path, name: str, with_pdf: bool = True) -> DocumentOutputs:
    folder = out_dir / name
    return DocumentOutputs(
        folder=folder,
        pdf=folder / f"{name}.pdf" if with_pdf else None,
        text=folder / f"{name}.txt",
        json=folder / f"{name}.json",
        hocr=folder / f"{name}.hocr",
        alto=folder / "alto",
        page_xml=folder / "page",
        overlays=folder / "overlay",
    )


def read_document(source: DocumentSource, cfg: RunConfig) -> DocumentResult:
    """Load and read every page of a document, one page in memory at a time."""
    pages = []
    for number, page_source in enumerate(source.pages, start=1):
        image = load_page(page_source, number, cfg.input)
        pages.append(process_page(image, cfg))
        del image
    return DocumentResult(name=source.name, source=str(source.path), pages=tuple(pages))


def write_document(
    doc: DocumentResult,
    source: DocumentSource,
    outputs: DocumentOutputs,
    cfg: RunConfig,
    *,
    metadata: dict[str, Any] | None = None,
    jobs: int = 1,
) -> None:
    """Write every export of a document; each file atomically, the PDF first (the slowest to fail)."""
    if outputs.pdf is not None:
        pdf_export.build_pdf(
            doc, source, outputs.pdf, cfg.pdf, lang=cfg.ocr.lang, metadata=metadata, jobs=jobs, inputs=cfg.input
        )
    text_export.write_text(doc, outputs.text)
    text_export.write_document_json(doc, outputs.json)
    _write_layout_exports(doc, source, outputs, cfg)


def _write_layout_exports(
    doc: DocumentResult, source: DocumentSource, outputs: DocumentOutputs, cfg: RunConfig
) -> None:
    """hOCR, ALTO, PAGE XML and overlay PNGs: the region types kept in every format."""
    names = [p.label for p in source.pages]
    hocr_export.write_hocr(doc, outputs.hocr, names)
    alto_export.write_alto(doc, outputs.alto, names)
    outputs.page_xml.mkdir(parents=True, exist_ok=True)
    outputs.overlays.mkdir(parents=True, exist_ok=True)
    for page, page_source, name in zip(doc.pages, source.pages, names, strict=True):
        fileio.write_bytes(outputs.page_xml / f"{page.number:04d}.xml", pagexml.page_to_xml(page, name))
        image = load_page(page_source, page.number, cfg.input)
        overlay_export.write_overlay(image, page, outputs.overlays / f"{page.number:04d}.png")
        del image
