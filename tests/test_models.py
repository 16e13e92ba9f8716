"""The typed containers: JSON round trip and the plain-text rules the exports rely on."""

from __future__ import annotations

from digitize.models import BBox, DocumentResult, Line, PageResult, Region, RegionType


def _page() -> PageResult:
    body = Region("r1", RegionType.BODY, BBox(0, 100, 900, 200), "ПИШЕВАРИ просит", 0.9)
    stamp_line = Line("ОБЩИЙ ОТДЕЛ", BBox(600, 120, 800, 160), 0.8)
    stamp = Region("r2", RegionType.STAMP, BBox(580, 90, 820, 260), "ОБЩИЙ ОТДЕЛ", 0.8, (stamp_line,))
    folio = Region("r3", RegionType.FOLIO_NUMBER, BBox(850, 10, 900, 40), "118", 0.9, fields={"folio": 118})
    return PageResult(1, "0001.jpg", 1000, 1400, 300.0, (body, stamp, folio))


def test_page_text_leaves_stamps_out_but_the_region_keeps_them() -> None:
    page = _page()
    assert page.text == "ПИШЕВАРИ просит\n\n118"
    stamp = page.to_dict()["regions"][1]
    assert stamp["type"] == "stamp" and stamp["text"] == "ОБЩИЙ ОТДЕЛ"
    assert stamp["lines"][0]["text"] == "ОБЩИЙ ОТДЕЛ"


def test_document_round_trips_through_json() -> None:
    doc = DocumentResult("d", "scans/d", (_page(), _page()), {"run": {"settings_hash": "x"}})
    data = doc.to_dict()
    assert DocumentResult.from_dict(data).to_dict() == data
    assert doc.text.count("\f") == 1


def test_bbox_geometry() -> None:
    a, b = BBox(0, 0, 10, 10), BBox(5, 5, 15, 15)
    assert a.intersection(b) == 25 and round(a.iou(b), 4) == round(25 / 175, 4)
    assert a.union(b) == BBox(0, 0, 15, 15)
    assert BBox.enclosing([a, b]) == BBox(0, 0, 15, 15)
