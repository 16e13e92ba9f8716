"""The order of the stages, for one page and for one document. Nothing else decides it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import layout, preprocess
from .config import RunConfig
from .export import pdf as pdf_export
from .export import text as text_export
from .models import DocumentResult, DocumentSource, PageImage, PageResult
from .ocr.reader import RegionReader
from .sources import load_page

log = logging.getLogger(__name__)


def process_page(page: PageImage, cfg: RunConfig) -> PageResult:
    """Read one page: OCR, layout, regions in reading order, in original-scan coordinates."""
    t0 = time.perf_counter()
    prepared = preprocess.prepare(page)
    regions = layout.analyse(prepared, RegionReader(cfg.ocr), page_prefix=f"p{page.number}r")
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

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in self.__dict__.items()}


def outputs_for(out_dir: Path, name: str, with_pdf: bool = True) -> DocumentOutputs:
    folder = out_dir / name
    return DocumentOutputs(
        folder=folder,
        pdf=folder / f"{name}.pdf" if with_pdf else None,
        text=folder / f"{name}.txt",
        json=folder / f"{name}.json",
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
