"""Layout detection: ink separation, shapes, reading order, and the whole detector on a facsimile page."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from digitize.config import RunConfig
from digitize.evaluate.layout import score_page
from digitize.layout import detect, ink
from digitize.layout.order import reading_order
from digitize.models import BBox, PageImage, PageSource, PreparedPage, RegionType
from digitize.pagexml import read_page_xml
from digitize.pipeline import process_page
from digitize.sources import load_page

REPO = Path(__file__).resolve().parent.parent
PAPER = (232, 224, 200)  # yellowed paper
VIOLET = (107, 51, 158)
RIBBON = (25, 25, 28)


def _prepared(rgb: np.ndarray, dpi: float = 300.0) -> PreparedPage:
    page = PageImage(rgb, dpi, PageSource(Path("drawn.png")), 1)
    return PreparedPage(page=page, gray=cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), color=rgb, dpi=dpi)


def _sheet(h: int = 900, w: int = 1200) -> np.ndarray:
    return np.full((h, w, 3), PAPER, np.uint8)


def test_violet_stamp_ink_leaves_the_ocr_image_and_black_type_under_it_stays() -> None:
    typed, stamped = _sheet(), _sheet()
    cv2.rectangle(typed, (100, 400), (1100, 430), RIBBON, -1)  # a typed line (as a bar)
    cv2.circle(stamped, (600, 420), 200, VIOLET, 12)  # a stamp's rim across it
    rgb = np.minimum(typed, stamped)  # ink darkens the paper: where both are, the black shows
    m = ink.separate(_prepared(rgb))
    assert m.blue[420 - 200, 600] and not m.dark[420 - 200, 600]  # the top of the rim is violet ink
    assert m.dark[415, 300] and not m.blue[415, 300]  # typewriting is dark, not coloured
    # in the OCR image the rim is gone (paper tone) but the typed bar where the rim crosses it is still black
    assert m.ocr_image[220, 600] > 180
    assert m.ocr_image[415, 600 - 200] < 80
    # the stamp reader sees the rim and nothing of the typing
    assert m.colour_image[220, 600] < 200 and m.colour_image[415, 300] == 255


def test_yellowed_paper_alone_is_not_coloured_ink() -> None:
    m = ink.separate(_prepared(_sheet()))
    assert not m.blue.any() and not m.red.any() and not m.dark.any()


def test_round_and_framed_stamps_are_told_from_handwriting() -> None:
    rgb = _sheet(1200, 1600)
    cv2.circle(rgb, (350, 350), 220, VIOLET, 10)
    cv2.circle(rgb, (350, 350), 180, VIOLET, 6)
    cv2.rectangle(rgb, (800, 150), (1500, 450), VIOLET, 9)
    cv2.putText(rgb, "Bx. N 462", (850, 330), cv2.FONT_HERSHEY_SIMPLEX, 3, VIOLET, 8)
    # a handwritten-looking scribble: open polyline
    pts = np.array([[200, 900], [260, 850], [320, 950], [380, 860], [440, 940], [500, 870]], np.int32)
    cv2.polylines(rgb, [pts], False, VIOLET, 6)
    clusters = detect.colour_clusters(ink.separate(_prepared(rgb)), 300.0, min_stamp_mm=14.0)
    shapes = sorted((c.bbox.x0 // 100, c.shape) for c in clusters)
    assert ("round" in dict(shapes).values()) and ("box" in dict(shapes).values())
    scribble = [c for c in clusters if c.bbox.y0 > 800]
    assert len(scribble) == 1 and scribble[0].shape == ""


def test_ruled_frame_is_found() -> None:
    rgb = _sheet(1000, 2000)
    cv2.rectangle(rgb, (150, 600), (1100, 900), RIBBON, 3)
    boxes = detect.ruled_boxes(ink.separate(_prepared(rgb)).dark, 300.0)
    assert len(boxes) == 1
    b = boxes[0]
    assert abs(b.x0 - 150) < 8 and abs(b.y1 - 900) < 8


def test_reading_order_bands_left_to_right_and_folio_last() -> None:
    items = [
        ("folio", RegionType.FOLIO_NUMBER, BBox(2200, 50, 2300, 120)),
        ("para2", RegionType.BODY, BBox(300, 1300, 2100, 1700)),
        ("note", RegionType.MARGINALIA, BBox(40, 900, 250, 1500)),  # beside both paragraphs
        ("para1", RegionType.BODY, BBox(300, 900, 2100, 1280)),
        ("mark", RegionType.MARGINALIA, BBox(200, 100, 500, 160)),
        ("tb_right", RegionType.TRANSMISSION_BLOCK, BBox(1300, 3000, 2300, 3300)),
        ("tb_left", RegionType.TRANSMISSION_BLOCK, BBox(200, 3000, 1200, 3320)),
    ]
    order = [name for name, _, _ in reading_order(items, box=lambda it: it[2], kind=lambda it: it[1])]
    assert order == ["mark", "note", "para1", "para2", "tb_left", "tb_right", "folio"]


def test_a_signers_name_is_read_before_the_date_line_below_it_across_a_tall_stamp() -> None:
    # the stamp and the signature's scrawl reach from the name's row down to the date line's: one band,
    # whose left column (the date line) would otherwise be read before the name on the right
    items = [
        ("scrawl", RegionType.SIGNATURE, BBox(268, 1943, 1371, 2272)),
        ("stamp", RegionType.STAMP, BBox(275, 1951, 976, 2267)),
        ("name", RegionType.SIGNATURE, BBox(1481, 1994, 1809, 2029)),
        ("date", RegionType.DATE_LINE, BBox(251, 2164, 792, 2205)),
        ("archive", RegionType.ARCHIVE_REFERENCE, BBox(1266, 135, 2209, 431)),
        ("stamp_top", RegionType.STAMP, BBox(148, 245, 894, 566)),
        ("note", RegionType.MARGINALIA, BBox(566, 422, 665, 493)),  # ends a column beside the archive's note
    ]
    order = [name for name, _, _ in reading_order(items, box=lambda it: it[2], kind=lambda it: it[1])]
    assert order.index("name") < order.index("date")
    assert order[:3] == ["stamp_top", "note", "archive"]


@pytest.fixture(scope="module")
def facsimile_page_2() -> tuple:
    """Page 2 of the source document's typical facsimile (signatures, stamp, date line, two telegraph blocks)."""
    scan = REPO / "scans" / "bagirov-1946-04-20" / "0002.jpg"
    truth = REPO / "ground_truth" / "bagirov-1946-04-20" / "0002.xml"
    if not scan.exists() or not truth.exists():
        pytest.skip("facsimile scans not generated here")
    cfg = RunConfig()
    result = process_page(load_page(PageSource(scan), 2, cfg.input), cfg)
    return result, read_page_xml(truth)


def test_source_document_transmission_blocks_come_out_as_fields(facsimile_page_2: tuple) -> None:
    result, _ = facsimile_page_2
    blocks = [r for r in result.regions if r.type is RegionType.TRANSMISSION_BLOCK]
    assert len(blocks) == 2
    by_kind = {b.fields.get("kind"): b.fields for b in blocks}
    assert by_kind["sent"]["time"] == "17:50" and by_kind["sent"]["date"] == "1946-04-20"
    assert by_kind["checked"]["time"] == "18:00" and by_kind["checked"]["date"] == "1946-04-20"
    assert all(b.fields["raw"] == b.text for b in blocks)


def test_facsimile_page_layout_matches_ground_truth(facsimile_page_2: tuple) -> None:
    result, truth = facsimile_page_2
    score = score_page(list(result.regions), list(truth.regions))
    assert score.overall.f1 >= 0.8, score.to_dict()
    # the folio number is read with digits only, and comes last
    assert result.regions[-1].type is RegionType.FOLIO_NUMBER
    assert result.regions[-1].fields.get("folio") == 119
    # boxes are in the original scan's pixels
    assert all(0 <= r.bbox.x0 < r.bbox.x1 <= result.width for r in result.regions)
