"""hOCR for a document: one ``ocr_page`` per page, one ``ocr_carea`` per region with its type as a class.

A region of type ``marginalia`` is ``<div class="ocr_carea marginalia" ...>``; lines are ``ocr_line`` and
words ``ocrx_word`` with ``bbox`` and ``x_wconf``, as OCRmyPDF and hocr-tools read them. Coordinates are
original-scan pixels. The text is escaped by lxml, never pasted into markup.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from lxml.builder import E

from .. import fileio
from ..models import BBox, DocumentResult, PageResult


def _title(box: BBox, **extra: object) -> str:
    parts = [f"bbox {box.x0} {box.y0} {box.x1} {box.y1}"]
    parts += [f"{k} {v}" for k, v in extra.items()]
    return "; ".join(parts)


def page_element(page: PageResult, image_filename: str) -> etree._Element:
    """The ``ocr_page`` div of one page."""
    div = E.div(
        {
            "class": "ocr_page",
            "id": f"page_{page.number}",
            "title": f'image "{image_filename}"; bbox 0 0 {page.width} {page.height}; ppageno {page.number - 1}',
        }
    )
    for i, region in enumerate(page.regions, start=1):
        rid = f"p{page.number}_b{i}"
        area = etree.SubElement(
            div,
            "div",
            {"class": f"ocr_carea {region.type.value}", "id": rid, "title": _title(region.bbox)},
        )
        par = etree.SubElement(area, "p", {"class": "ocr_par", "id": f"{rid}_par", "title": _title(region.bbox)})
        for j, line in enumerate(region.lines, start=1):
            ln = etree.SubElement(par, "span", {"class": "ocr_line", "id": f"{rid}_l{j}", "title": _title(line.bbox)})
            words = line.words or ()
            if not words:
                w = etree.SubElement(ln, "span", {"class": "ocrx_word", "title": _title(line.bbox)})
                w.text = line.text
                continue
            for k, word in enumerate(words, start=1):
                w = etree.SubElement(
                    ln,
                    "span",
                    {
                        "class": "ocrx_word",
                        "id": f"{rid}_l{j}_w{k}",
                        "title": _title(word.bbox, x_wconf=int(round(100 * word.confidence))),
                    },
                )
                w.text = word.text
                w.tail = " "
    return div


def document_to_hocr(doc: DocumentResult, image_names: list[str] | None = None) -> bytes:
    """A complete hOCR (XHTML) document with every page."""
    html = E.html(
        {"xmlns": "http://www.w3.org/1999/xhtml", "lang": "ru"},
        E.head(
            E.title(doc.name),
            E.meta({"http-equiv": "Content-Type", "content": "text/html; charset=utf-8"}),
            E.meta({"name": "ocr-system", "content": "digitize (Tesseract)"}),
            E.meta({"name": "ocr-capabilities", "content": "ocr_page ocr_carea ocr_par ocr_line ocrx_word"}),
        ),
        E.body(*[page_element(p, image_names[i] if image_names else p.source) for i, p in enumerate(doc.pages)]),
    )
    body = etree.tostring(html, encoding="UTF-8", pretty_print=True, method="xml")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' + body
    )


def write_hocr(doc: DocumentResult, target: Path, image_names: list[str] | None = None) -> None:
    fileio.write_bytes(target, document_to_hocr(doc, image_names))
