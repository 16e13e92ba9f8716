"""Exports that keep region types: ALTO 4.4 and PAGE 2019 validate against their schemas; hOCR carries classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from digitize.export.alto import page_to_alto
from digitize.export.hocr import document_to_hocr
from digitize.export.overlay import TYPE_COLOURS, render_overlay
from digitize.models import BBox, DocumentResult, Line, PageResult, ProcessingStep, Region, RegionType, Word
from digitize.pagexml import page_to_xml, read_page_xml

# shipped with the tests (see tests/resources/README.md); the shared folder is the fallback
SCHEMA_DIRS = (
    Path(__file__).resolve().parent / "resources",
    Path(__file__).resolve().parent.parent.parent / "shared" / "schemas",
)


def _schema(name: str) -> etree.XMLSchema:
    for folder in SCHEMA_DIRS:
        path = folder / name
        if path.exists():
            return etree.XMLSchema(etree.parse(str(path)))
    pytest.skip(f"schema {name} not available here")


def _page() -> PageResult:
    words = (Word("Пер.", BBox(100, 2000, 180, 2040), 0.9), Word("17", BBox(200, 2000, 240, 2040), 0.8))
    regions = [
        Region(
            "p1r1",
            RegionType.BODY,
            BBox(100, 400, 1900, 900),
            "ПИШЕВАРИ & <наши> люди",
            0.91,
            (Line("ПИШЕВАРИ & <наши> люди", BBox(100, 400, 1900, 450), 0.91),),
        ),
        Region("p1r2", RegionType.STAMP, BBox(1200, 700, 1700, 1200), "", 0.9, flags=("low_confidence",)),
        Region("p1r3", RegionType.SIGNATURE, BBox(500, 1500, 900, 1600)),
        Region(
            "p1r4",
            RegionType.TRANSMISSION_BLOCK,
            BBox(90, 1990, 1000, 2100),
            "Пер. 17",
            0.85,
            (Line("Пер. 17", BBox(100, 2000, 240, 2040), 0.85, words),),
            fields={"kind": "sent", "time": "17:00"},
        ),
        Region("p1r5", RegionType.FOLIO_NUMBER, BBox(2200, 100, 2300, 160), "118", 0.7),
    ]
    return PageResult(
        number=1,
        source="0001.jpg",
        width=2480,
        height=3508,
        dpi=300.0,
        regions=tuple(regions),
        steps=(ProcessingStep("deskew", {"max_deg": 15}, {"angle": 0.4}),),
    )


def test_alto_validates_and_tags_every_region_with_its_type() -> None:
    schema = _schema("alto-4-4.xsd")
    xml = page_to_alto(_page(), "0001.jpg", software_version="0.1.0")
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    labels = {t.get("ID"): t.get("LABEL") for t in doc.iterfind(".//a:Tags/a:StructureTag", ns)}
    blocks = doc.findall(".//a:TextBlock", ns)
    assert [labels[b.get("TAGREFS")] for b in blocks] == [
        "body",
        "stamp",
        "signature",
        "transmission_block",
        "folio_number",
    ]
    # the reading order lists the blocks in the page's order, folio last
    refs = [e.get("REF") for e in doc.iterfind(".//a:ReadingOrder//a:ElementRef", ns)]
    assert refs == [b.get("ID") for b in blocks]
    strings = [s.get("CONTENT") for s in doc.iterfind(".//a:String", ns)]
    assert "ПИШЕВАРИ & <наши> люди" in strings and "Пер." in strings


def test_page_xml_validates_and_reads_back_the_types() -> None:
    schema = _schema("pagecontent-2019-07-15.xsd")
    page = _page()
    xml = page_to_xml(page, "0001.jpg")
    schema.assertValid(etree.fromstring(xml))
    back = read_page_xml(xml)
    assert [r.type for r in back.regions] == [r.type for r in page.regions]
    assert [r.bbox for r in back.regions] == [r.bbox for r in page.regions]


def test_hocr_has_one_carea_per_region_with_its_type_class() -> None:
    doc = DocumentResult("doc", "scans/doc", (_page(),))
    root = etree.fromstring(document_to_hocr(doc, ["0001.jpg"]))
    areas = [el for el in root.iter("{*}div") if "ocr_carea" in (el.get("class") or "")]
    assert [a.get("class").split()[1] for a in areas] == [str(r.type) for r in _page().regions]
    assert areas[0].get("title") == "bbox 100 400 1900 900"
    words = [el for el in root.iter("{*}span") if el.get("class") == "ocrx_word"]
    assert any(w.text == "ПИШЕВАРИ & <наши> люди" for w in words)  # escaped by the serialiser, read back intact
    assert "x_wconf 90" in words[-2].get("title")


def test_overlay_draws_each_region_in_its_type_colour() -> None:
    page = _page()
    pixels = np.full((page.height, page.width, 3), 255, np.uint8)
    img = np.asarray(render_overlay(pixels, page, max_side=1000))
    scale = 1000 / page.height
    # the outline of the transmission block, at its left edge, is drawn in that type's colour
    b = page.regions[3].bbox
    x, y = int(b.x0 * scale), int((b.y0 + b.y1) / 2 * scale)
    patch = img[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
    assert any(np.abs(px.astype(int) - TYPE_COLOURS[RegionType.TRANSMISSION_BLOCK]).sum() < 60 for px in patch)
    assert img.shape[0] == 1000


def test_write_document_writes_every_layout_export(tmp_path: Path) -> None:
    from PIL import Image

    from digitize.config import RunConfig
    from digitize.models import DocumentSource, PageSource
    from digitize.pipeline import outputs_for, write_document

    scan = tmp_path / "scans" / "letter" / "0001.png"
    scan.parent.mkdir(parents=True)
    Image.new("RGB", (2480, 3508), (235, 228, 205)).save(scan, dpi=(300, 300))
    source = DocumentSource("letter", scan.parent, (PageSource(scan),))
    doc = DocumentResult("letter", str(scan.parent), (_page(),))
    outputs = outputs_for(tmp_path / "out", "letter", with_pdf=False)
    write_document(doc, source, outputs, RunConfig())
    assert (outputs.page_xml / "0001.xml").exists() and (outputs.alto / "0001.alto.xml").exists()
    assert b"ocr_carea transmission_block" in outputs.hocr.read_bytes()
    assert Image.open(outputs.overlays / "0001.png").size[1] == 1600
    back = read_page_xml(outputs.page_xml / "0001.xml")
    assert [r.type for r in back.regions] == [r.type for r in _page().regions]
