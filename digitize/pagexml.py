"""PAGE XML (PRImA 2019) writing and reading for :class:`~digitize.models.PageResult`.

One table, :data:`PAGE_TYPES`, maps each :class:`~digitize.models.RegionType` to its PAGE element, type and
``custom`` structure type. Reading accepts the 2013 and 2019 namespaces and the way Transkribus and eScriptorium
state a region's kind (``type=`` or ``custom="structure {type:...;}"``); kinds outside our vocabulary read as
``body``.

Stamps and signatures are the two kinds that may or may not carry text. A stamp or signature *with* text is
written as a ``TextRegion`` (stamp: type ``other`` with ``structure {type:stamp;}``; signature: type
``signature-mark``), so that the text has a schema-valid home; one *without* text is a ``GraphicRegion`` of type
``stamp`` / ``signature``. Both forms read back to the same :class:`RegionType`, so writing and reading are
symmetric.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from .errors import InputError
from .models import BBox, Line, PageResult, ProcessingStep, Region, RegionType

NS_2019 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
NS_2013 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"
_KNOWN_NS = (NS_2019, NS_2013)
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{NS_2019} {NS_2019}/pagecontent.xsd"


@dataclass(frozen=True)
class PageType:
    """How one region type is written in PAGE: element, ``type`` attribute and ``custom`` structure type."""

    element: str  # "TextRegion" or "GraphicRegion"
    type: str
    structure: str = ""  # value of custom="structure {type:...;}", empty for none


#: The one mapping between our region types and PAGE. Text-less stamps/signatures: see :data:`GRAPHIC_TYPES`.
PAGE_TYPES: dict[RegionType, PageType] = {
    RegionType.BODY: PageType("TextRegion", "paragraph"),
    RegionType.MARGINALIA: PageType("TextRegion", "marginalia"),
    RegionType.FOLIO_NUMBER: PageType("TextRegion", "page-number"),
    RegionType.SIGNATURE: PageType("TextRegion", "signature-mark"),
    RegionType.ADDRESSEE: PageType("TextRegion", "other", "addressee"),
    RegionType.DATE_LINE: PageType("TextRegion", "other", "date_line"),
    RegionType.TRANSMISSION_BLOCK: PageType("TextRegion", "other", "transmission_block"),
    RegionType.ARCHIVE_REFERENCE: PageType("TextRegion", "other", "archive_reference"),
    RegionType.STAMP: PageType("TextRegion", "other", "stamp"),
}

#: Region types written as a GraphicRegion when they carry no text.
GRAPHIC_TYPES: dict[RegionType, PageType] = {
    RegionType.STAMP: PageType("GraphicRegion", "stamp"),
    RegionType.SIGNATURE: PageType("GraphicRegion", "signature"),
}

# PAGE ``type=`` values (and structure names other tools use) that read as one of ours; the rest read as body.
_READ_TYPES: dict[str, RegionType] = {
    "paragraph": RegionType.BODY,
    "marginalia": RegionType.MARGINALIA,
    "page-number": RegionType.FOLIO_NUMBER,
    "signature-mark": RegionType.SIGNATURE,
    "signature": RegionType.SIGNATURE,
    "stamp": RegionType.STAMP,
    "handwritten-annotation": RegionType.MARGINALIA,
    # names seen in Transkribus / eScriptorium (SegmOnto) exports
    "MarginTextZone": RegionType.MARGINALIA,
    "NumberingZone": RegionType.FOLIO_NUMBER,
    "StampZone": RegionType.STAMP,
    "MainZone": RegionType.BODY,
}
for _rt in RegionType:
    _READ_TYPES.setdefault(str(_rt), _rt)

_STRUCTURE_RE = re.compile(r"structure\s*\{([^}]*)\}")
_NCNAME_RE = re.compile(r"^[A-Za-z_][\w.\-]*$")
_REGION_TAGS = {
    "TextRegion",
    "GraphicRegion",
    "ImageRegion",
    "LineDrawingRegion",
    "ChartRegion",
    "SeparatorRegion",
    "MathsRegion",
    "ChemRegion",
    "MusicRegion",
    "AdvertRegion",
    "NoiseRegion",
    "TableRegion",
    "UnknownRegion",
    "CustomRegion",
}


def page_type_of(region: Region) -> PageType:
    """The PAGE form of a region: a GraphicRegion for text-less stamps and signatures, else from PAGE_TYPES."""
    if not region.text.strip() and region.type in GRAPHIC_TYPES:
        return GRAPHIC_TYPES[region.type]
    return PAGE_TYPES[region.type]


# --------------------------------------------------------------------------------------------------- writing


def _points(poly: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{max(0, int(x))},{max(0, int(y))}" for x, y in poly)


def _xml_id(raw: str, fallback: str) -> str:
    return raw if raw and _NCNAME_RE.match(raw) else fallback


def _text_equiv(parent: etree._Element, text: str, confidence: float) -> None:
    te = etree.SubElement(parent, f"{{{NS_2019}}}TextEquiv")
    if confidence > 0:
        te.set("conf", f"{min(1.0, confidence):.4g}")
    etree.SubElement(te, f"{{{NS_2019}}}Unicode").text = text


def _timestamp(created: datetime | None) -> str:
    when = created if created is not None else datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat()


def page_to_xml(
    page: PageResult,
    image_filename: str,
    *,
    creator: str = "digitize",
    created: datetime | None = None,
) -> bytes:
    """PAGE 2019 XML for one page: regions in reading order, their lines and texts, and the processing steps.

    ``created`` fixes the Created/LastChange timestamps (UTC; default now) so that output can be reproducible.
    """
    E = f"{{{NS_2019}}}"
    root = etree.Element(f"{E}PcGts", nsmap={None: NS_2019, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    meta = etree.SubElement(root, f"{E}Metadata")
    etree.SubElement(meta, f"{E}Creator").text = creator
    stamp = _timestamp(created)
    etree.SubElement(meta, f"{E}Created").text = stamp
    etree.SubElement(meta, f"{E}LastChange").text = stamp
    for step in page.steps:
        item = etree.SubElement(meta, f"{E}MetadataItem", type="processingStep", name=step.name)
        item.set("value", json.dumps({"params": step.params, "result": step.result}, ensure_ascii=False))

    pg = etree.SubElement(
        root, f"{E}Page", imageFilename=image_filename, imageWidth=str(page.width), imageHeight=str(page.height)
    )
    ids = [_xml_id(r.id, f"r{i + 1}") for i, r in enumerate(page.regions)]
    if len(set(ids)) != len(ids):  # duplicate ids would make the XML invalid; number them instead
        ids = [f"r{i + 1}" for i in range(len(ids))]
    if page.regions:
        ro = etree.SubElement(pg, f"{E}ReadingOrder")
        group = etree.SubElement(ro, f"{E}OrderedGroup", id="ro_1", caption="Regions reading order")
        for i, rid in enumerate(ids):
            etree.SubElement(group, f"{E}RegionRefIndexed", index=str(i), regionRef=rid)

    for rid, region in zip(ids, page.regions, strict=True):
        form = page_type_of(region)
        el = etree.SubElement(pg, f"{E}{form.element}", id=rid, type=form.type)
        if form.structure:
            el.set("custom", f"structure {{type:{form.structure};}}")
        poly = region.polygon or tuple(region.bbox.polygon())
        etree.SubElement(el, f"{E}Coords", points=_points(poly))
        if form.element != "TextRegion":
            continue
        for j, line in enumerate(region.lines):
            ln = etree.SubElement(el, f"{E}TextLine", id=f"{rid}_l{j + 1}")
            etree.SubElement(ln, f"{E}Coords", points=_points(line.bbox.polygon()))
            _text_equiv(ln, line.text, line.confidence)
        _text_equiv(el, region.text, region.confidence)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------------------------------- reading


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _parse_points(el: etree._Element) -> tuple[tuple[int, int], ...]:
    coords = _child(el, "Coords")
    if coords is None:
        return ()
    pts = coords.get("points")
    if pts:
        out = []
        for pair in pts.split():
            x, _, y = pair.partition(",")
            out.append((int(round(float(x))), int(round(float(y)))))
        return tuple(out)
    # PAGE 2010-style <Point x= y=/> children
    return tuple((int(p.get("x", 0)), int(p.get("y", 0))) for p in coords if _local(p) == "Point")


def _bbox(poly: tuple[tuple[int, int], ...]) -> BBox:
    if not poly:
        return BBox(0, 0, 0, 0)
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return BBox(min(xs), min(ys), max(xs), max(ys))


def _equiv(el: etree._Element) -> tuple[str | None, float]:
    """Text and confidence of an element's first TextEquiv (lowest ``index`` if given)."""
    tes = _children(el, "TextEquiv")
    if not tes:
        return None, 0.0
    te = min(tes, key=lambda t: int(t.get("index", "0") or 0))
    uni = _child(te, "Unicode")
    text = (uni.text or "") if uni is not None else ""
    try:
        conf = float(te.get("conf", "0") or 0)
    except ValueError:
        conf = 0.0
    return text, conf


def _structure_type(custom: str | None) -> str | None:
    if not custom:
        return None
    m = _STRUCTURE_RE.search(custom)
    if not m:
        return None
    for part in m.group(1).split(";"):
        key, _, value = part.partition(":")
        if key.strip() == "type" and value.strip():
            return value.strip()
    return None


def region_type_of(element: str, type_attr: str | None, custom: str | None) -> RegionType:
    """Our region type for a PAGE region; the custom structure type wins over ``type=``; unknown is body."""
    for name in (_structure_type(custom), type_attr):
        if name and name in _READ_TYPES:
            return _READ_TYPES[name]
    if element == "GraphicRegion" and type_attr in ("stamp", "signature"):
        return _READ_TYPES[type_attr]
    return RegionType.BODY


def _read_region(el: etree._Element, fallback_id: str) -> Region:
    poly = _parse_points(el)
    lines = []
    for ln in _children(el, "TextLine"):
        text, conf = _equiv(ln)
        if text is None:
            words = [_equiv(w)[0] or "" for w in _children(ln, "Word")]
            text = " ".join(w for w in words if w)
        lines.append(Line(text=text, bbox=_bbox(_parse_points(ln)), confidence=conf))
    text, conf = _equiv(el)
    if text is None:
        text = "\n".join(ln.text for ln in lines)
    return Region(
        id=el.get("id") or fallback_id,
        type=region_type_of(_local(el), el.get("type"), el.get("custom")),
        bbox=_bbox(poly),
        text=text,
        confidence=conf,
        lines=tuple(lines),
        polygon=poly,
    )


def _regions_in(el: etree._Element) -> list[etree._Element]:
    """Region elements under ``el`` in document order, nested regions flattened after their parent."""
    out: list[etree._Element] = []
    for c in el:
        if _local(c) in _REGION_TAGS:
            out.append(c)
            out.extend(_regions_in(c))
    return out


def _reading_order(page_el: etree._Element) -> list[str]:
    ro = _child(page_el, "ReadingOrder")
    if ro is None:
        return []

    def walk(group: etree._Element) -> list[str]:
        members = [c for c in group if _local(c) != "Labels" and _local(c) != "UserDefined"]
        if any(c.get("index") is not None for c in members):
            members.sort(key=lambda c: int(c.get("index", "0")))
        out: list[str] = []
        for m in members:
            if m.get("regionRef"):
                out.append(m.get("regionRef", ""))
            out.extend(walk(m))
        return out

    return walk(ro)


def read_page_xml(source: Path | bytes, *, number: int = 1) -> PageResult:
    """A :class:`PageResult` from PAGE XML (2013 or 2019 namespace), regions in reading order.

    Regions the reading order leaves out follow in document order. Raises :class:`InputError` on XML that is not
    PAGE.
    """
    path = source if isinstance(source, Path) else None
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(source.read_bytes() if path else source, parser)  # type: ignore[union-attr]
    except (OSError, etree.XMLSyntaxError) as err:
        raise InputError(f"cannot read PAGE XML: {err}", path=path) from err
    ns = etree.QName(root).namespace
    if _local(root) != "PcGts" or ns not in _KNOWN_NS:
        raise InputError(f"not PAGE XML (root {root.tag})", path=path)
    page_el = _child(root, "Page")
    if page_el is None:
        raise InputError("PAGE XML without a Page element", path=path)

    elements = _regions_in(page_el)
    regions = [_read_region(el, f"r{i + 1}") for i, el in enumerate(elements)]
    by_id = {r.id: r for r in regions}
    ordered: list[Region] = []
    seen: set[str] = set()
    for rid in _reading_order(page_el):
        if rid in by_id and rid not in seen:
            ordered.append(by_id[rid])
            seen.add(rid)
    ordered.extend(r for r in regions if r.id not in seen)

    steps = []
    meta = _child(root, "Metadata")
    if meta is not None:
        for item in _children(meta, "MetadataItem"):
            if item.get("type") != "processingStep":
                continue
            try:
                value = json.loads(item.get("value", "{}"))
            except json.JSONDecodeError:
                value = {"value": item.get("value", "")}
            if not isinstance(value, dict):
                value = {"value": value}
            steps.append(ProcessingStep(item.get("name", ""), value.get("params", {}), value.get("result", {})))

    return PageResult(
        number=number,
        source=page_el.get("imageFilename", ""),
        width=int(page_el.get("imageWidth", "0")),
        height=int(page_el.get("imageHeight", "0")),
        dpi=300.0,
        regions=tuple(ordered),
        steps=tuple(steps),
    )
