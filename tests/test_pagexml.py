"""PAGE XML: what we write validates against the 2019 schema and reads back to the same regions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from digitize.errors import InputError
from digitize.models import BBox, Line, PageResult, ProcessingStep, Region, RegionType
from digitize.pagexml import NS_2019, PAGE_TYPES, page_to_xml, read_page_xml

RESOURCES = Path(__file__).parent / "resources"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(RESOURCES / "pagecontent-2019-07-15.xsd")


def _region(i: int, rtype: RegionType, text: str, *, poly: bool = False) -> Region:
    box = BBox(100 * i, 50 * i, 100 * i + 400, 50 * i + 80)
    lines = tuple(
        Line(t, BBox(box.x0, box.y0 + 40 * k, box.x1, box.y0 + 40 * (k + 1)), 0.9)
        for k, t in enumerate(text.split("\n"))
    )
    polygon = ((box.x0, box.y0), (box.x1, box.y0 + 5), (box.x1, box.y1), (box.x0 + 3, box.y1)) if poly else ()
    return Region(
        id=f"r{i}", type=rtype, bbox=box, text=text, confidence=0.9, lines=lines if text else (), polygon=polygon
    )


def _page() -> PageResult:
    regions = [
        _region(1, RegionType.MARGINALIA, "Вел. 1635"),
        _region(2, RegionType.ARCHIVE_REFERENCE, "Ф.1,04.89,РМ\n9.112Молотову Шерифу", poly=True),
        _region(3, RegionType.ADDRESSEE, "Товарищу СТАЛИНУ"),
        _region(4, RegionType.BODY, "ПИШЕВАРИ и наши люди из Тавриза & <сообщают>"),
        _region(5, RegionType.STAMP, ""),
        _region(6, RegionType.STAMP, "ЦК КП(б) Азербайджана"),
        _region(7, RegionType.SIGNATURE, "И.Д.БАГИРОВ"),
        _region(8, RegionType.SIGNATURE, ""),
        _region(9, RegionType.DATE_LINE, '" " апреля 1946 года'),
        _region(10, RegionType.TRANSMISSION_BLOCK, "Пер. 17 ч. 50 м. 20/IV 1946 г.\nМож. ОПС\nПринял"),
        _region(11, RegionType.FOLIO_NUMBER, "118"),
    ]
    return PageResult(
        number=1,
        source="0001.jpg",
        width=2480,
        height=3508,
        dpi=300,
        regions=tuple(regions),
        steps=(ProcessingStep("deskew", {"max_angle": 5}, {"angle": 0.4}),),
    )


def test_every_region_type_has_one_page_form() -> None:
    assert set(PAGE_TYPES) == set(RegionType)


def test_written_page_validates_against_the_2019_schema(schema: xmlschema.XMLSchema) -> None:
    xml = page_to_xml(_page(), "0001.jpg", created=datetime(2000, 1, 1))
    schema.validate(etree.fromstring(xml))
    root = etree.fromstring(xml)
    assert etree.QName(root).namespace == NS_2019
    ns = {"pc": NS_2019}
    assert root.xpath("//pc:Page/@imageFilename", namespaces=ns) == ["0001.jpg"]
    # a stamp without text is a GraphicRegion; with text a TextRegion of type other / structure stamp
    assert root.xpath("//pc:GraphicRegion[@id='r5']/@type", namespaces=ns) == ["stamp"]
    assert root.xpath("//pc:TextRegion[@id='r6']/@custom", namespaces=ns) == ["structure {type:stamp;}"]
    assert root.xpath("//pc:GraphicRegion[@id='r8']/@type", namespaces=ns) == ["signature"]
    assert root.xpath("//pc:TextRegion[@id='r3']/@custom", namespaces=ns) == ["structure {type:addressee;}"]
    refs = root.xpath("//pc:ReadingOrder/pc:OrderedGroup/pc:RegionRefIndexed/@regionRef", namespaces=ns)
    assert refs == [f"r{i}" for i in range(1, 12)]


def test_round_trip_keeps_types_text_order_and_geometry() -> None:
    page = _page()
    back = read_page_xml(page_to_xml(page, "0001.jpg"))
    assert (back.width, back.height, back.source) == (2480, 3508, "0001.jpg")
    assert [r.id for r in back.regions] == [r.id for r in page.regions]
    assert [r.type for r in back.regions] == [r.type for r in page.regions]
    assert [r.text for r in back.regions] == [r.text for r in page.regions]
    assert [r.bbox for r in back.regions] == [r.bbox for r in page.regions]
    assert back.regions[1].polygon == page.regions[1].polygon
    assert [ln.text for ln in back.regions[9].lines] == ["Пер. 17 ч. 50 м. 20/IV 1946 г.", "Мож. ОПС", "Принял"]
    assert back.regions[9].lines[1].bbox == page.regions[9].lines[1].bbox
    assert back.steps == page.steps
    assert back.text == page.text


def test_reading_order_wins_over_document_order(tmp_path: Path) -> None:
    page = _page()
    xml = page_to_xml(page, "0001.jpg")
    root = etree.fromstring(xml)
    group = root.find(f".//{{{NS_2019}}}OrderedGroup")
    refs = list(group)
    for el in refs:
        group.remove(el)
    for i, el in enumerate(reversed(refs)):
        el.set("index", str(i))
        group.append(el)
    f = tmp_path / "0001.xml"
    f.write_bytes(etree.tostring(root))
    back = read_page_xml(f)
    assert [r.id for r in back.regions] == [f"r{i}" for i in range(11, 0, -1)]


def test_reads_a_transkribus_2013_export() -> None:
    page = read_page_xml(RESOURCES / "transkribus-2013.xml")
    assert [r.id for r in page.regions] == ["r_head", "r_body", "r_folio", "g1", "r_odd"]
    types = {r.id: r.type for r in page.regions}
    assert types == {
        "r_head": RegionType.ADDRESSEE,
        "r_body": RegionType.BODY,  # structure Main is not ours: the type= attribute decides
        "r_folio": RegionType.FOLIO_NUMBER,
        "g1": RegionType.STAMP,
        "r_odd": RegionType.BODY,  # unknown kinds read as body
    }
    head = page.regions[0]
    assert head.text == "Товарищу СТАЛИНУ\nТоварищу МОЛОТОВУ"  # no region TextEquiv: lines joined
    assert head.bbox == BBox(1200, 300, 1900, 420)
    assert page.regions[1].text == "Больше того,"  # line without TextEquiv: its words


def test_not_page_xml_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "x.xml"
    f.write_text("<alto/>")
    with pytest.raises(InputError):
        read_page_xml(f)
    with pytest.raises(InputError):
        read_page_xml(b"<PcGts")
