"""ALTO v4 (4.4) XML for one page, region types kept as tags.

Each region is a ``TextBlock`` whose ``TAGREFS`` points at a ``StructureTag`` named after its
:class:`~digitize.models.RegionType` (``LABEL="transmission_block"``), so a reader that knows no digitize can
still filter marginalia from body text. The regions' reading order is written as an ``OrderedGroup``; every
processing step of the page becomes a ``Processing`` record with its settings as JSON. Coordinates are
original-scan pixels (``MeasurementUnit`` pixel).
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from .. import fileio
from ..models import DocumentResult, PageResult, RegionType

NS = "http://www.loc.gov/standards/alto/ns-v4#"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/alto/v4/alto-4-4.xsd"


def tag_id(region_type: RegionType) -> str:
    return f"TYPE_{region_type.value}"


def _box_attrs(el: etree._Element, x0: int, y0: int, x1: int, y1: int) -> None:
    el.set("HPOS", str(x0))
    el.set("VPOS", str(y0))
    el.set("WIDTH", str(max(0, x1 - x0)))
    el.set("HEIGHT", str(max(0, y1 - y0)))


def page_to_alto(page: PageResult, image_filename: str, *, software_version: str = "") -> bytes:
    """ALTO 4.4 for one page; validates against ``alto-4-4.xsd``."""
    E = f"{{{NS}}}"
    root = etree.Element(f"{E}alto", nsmap={None: NS, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", SCHEMA_LOCATION)
    desc = etree.SubElement(root, f"{E}Description")
    etree.SubElement(desc, f"{E}MeasurementUnit").text = "pixel"
    src = etree.SubElement(desc, f"{E}sourceImageInformation")
    etree.SubElement(src, f"{E}fileName").text = image_filename
    step_ids = []
    for i, step in enumerate(page.steps, start=1):
        pid = f"proc{i}"
        step_ids.append(pid)
        proc = etree.SubElement(desc, f"{E}Processing", ID=pid)
        etree.SubElement(proc, f"{E}processingStepDescription").text = step.name
        etree.SubElement(proc, f"{E}processingStepSettings").text = json.dumps(
            {"params": step.params, "result": step.result}, ensure_ascii=False
        )
        sw = etree.SubElement(proc, f"{E}processingSoftware")
        etree.SubElement(sw, f"{E}softwareName").text = "digitize"
        if software_version:
            etree.SubElement(sw, f"{E}softwareVersion").text = software_version

    used = sorted({r.type for r in page.regions}, key=lambda t: list(RegionType).index(t))
    if used:
        tags = etree.SubElement(root, f"{E}Tags")
        for t in used:
            etree.SubElement(tags, f"{E}StructureTag", ID=tag_id(t), TYPE="region", LABEL=t.value)

    ids = [f"p{page.number}_b{i}" for i in range(1, len(page.regions) + 1)]
    if page.regions:
        ro = etree.SubElement(root, f"{E}ReadingOrder")
        group = etree.SubElement(ro, f"{E}OrderedGroup", ID=f"p{page.number}_ro")
        for i, bid in enumerate(ids, start=1):
            etree.SubElement(group, f"{E}ElementRef", ID=f"{bid}_ref{i}", REF=bid)

    layout = etree.SubElement(root, f"{E}Layout")
    pg = etree.SubElement(
        layout, f"{E}Page", ID=f"p{page.number}", PHYSICAL_IMG_NR=str(page.number), WIDTH=str(page.width)
    )
    pg.set("HEIGHT", str(page.height))
    if step_ids:
        pg.set("PROCESSINGREFS", " ".join(step_ids))
    space = etree.SubElement(pg, f"{E}PrintSpace")
    _box_attrs(space, 0, 0, page.width, page.height)
    for bid, region in zip(ids, page.regions, strict=True):
        block = etree.SubElement(space, f"{E}TextBlock", ID=bid, TAGREFS=tag_id(region.type))
        b = region.bbox
        _box_attrs(block, b.x0, b.y0, b.x1, b.y1)
        poly = region.polygon or tuple(b.polygon())
        shape = etree.SubElement(block, f"{E}Shape")
        etree.SubElement(shape, f"{E}Polygon", POINTS=" ".join(f"{x},{y}" for x, y in poly))
        lines = region.lines
        for j, line in enumerate(lines, start=1):
            tl = etree.SubElement(block, f"{E}TextLine", ID=f"{bid}_l{j}")
            lb = line.bbox
            _box_attrs(tl, lb.x0, lb.y0, lb.x1, lb.y1)
            words = line.words
            if not words:
                st = etree.SubElement(tl, f"{E}String", CONTENT=line.text or " ")
                _box_attrs(st, lb.x0, lb.y0, lb.x1, lb.y1)
                st.set("WC", f"{min(1.0, max(0.0, line.confidence)):.3f}")
                continue
            for k, w in enumerate(words):
                if k:
                    prev = words[k - 1].bbox
                    sp = etree.SubElement(tl, f"{E}SP")
                    sp.set("HPOS", str(prev.x1))
                    sp.set("WIDTH", str(max(0, w.bbox.x0 - prev.x1)))
                st = etree.SubElement(tl, f"{E}String", CONTENT=w.text)
                _box_attrs(st, w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1)
                st.set("WC", f"{min(1.0, max(0.0, w.confidence)):.3f}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_alto(doc: DocumentResult, folder: Path, image_names: list[str] | None = None) -> list[Path]:
    """``<folder>/<page number:04d>.alto.xml`` for every page; returns the paths written."""
    from .. import __version__

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, page in enumerate(doc.pages):
        name = image_names[i] if image_names else page.source
        path = folder / f"{page.number:04d}.alto.xml"
        fileio.write_bytes(path, page_to_alto(page, name, software_version=__version__))
        out.append(path)
    return out
