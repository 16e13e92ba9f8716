"""Per-region accuracy on hand-made pages: output lines are credited to the ground-truth region they lie in."""

from __future__ import annotations

import pytest

from digitize.evaluate.accuracy import evaluate_page
from digitize.evaluate.normalize import default
from digitize.evaluate.regions import by_type, evaluate_regions
from digitize.models import BBox, Line, PageResult, Region, RegionType


def _page(*regions: Region) -> PageResult:
    return PageResult(number=1, source="0001.png", width=1000, height=1400, dpi=300, regions=regions)


def _region(rid: str, rtype: RegionType, box: tuple[int, int, int, int], *lines: tuple[str, tuple[int, ...]]) -> Region:
    made = tuple(Line(text, BBox(*b), 0.9) for text, b in lines)
    return Region(rid, rtype, BBox(*box), "\n".join(t for t, _ in lines), 0.9, made)


GROUND_TRUTH = _page(
    _region("g1", RegionType.BODY, (100, 300, 900, 700), ("Товарищу СТАЛИНУ", (100, 300, 900, 350))),
    _region("g2", RegionType.MARGINALIA, (650, 50, 950, 200), ("Молотову Шерифу", (650, 50, 950, 100))),
    _region("g3", RegionType.FOLIO_NUMBER, (880, 1300, 960, 1360), ("118", (880, 1300, 960, 1360))),
)


def test_lines_are_credited_to_the_region_they_lie_in_whatever_the_output_type() -> None:
    # the layout put the marginal note into a body region; its line still lies in the marginalia area
    output = _page(
        _region(
            "o1",
            RegionType.BODY,
            (100, 40, 950, 700),
            ("Молотову Шерифу", (660, 55, 940, 98)),
            ("Товарищу СТАЛИНV", (110, 305, 890, 345)),
        ),
        _region("o2", RegionType.FOLIO_NUMBER, (880, 1300, 960, 1360), ("118", (882, 1302, 958, 1358))),
        _region("o3", RegionType.STAMP, (10, 1200, 200, 1390), ("шум", (10, 1200, 200, 1390))),
    )
    regions, outside = evaluate_regions(GROUND_TRUTH, output, default)
    got = {r.id: r for r in regions}
    assert got["g1"].ocr == "Товарищу СТАЛИНV"
    assert got["g1"].chars.edits == 1
    assert got["g2"].ocr == "Молотову Шерифу"
    assert got["g2"].chars.rate == 0.0
    assert got["g2"].output_types == ("body",)
    assert got["g2"].type_agreement == 0.0  # read right, labelled wrong
    assert got["g3"].type_agreement == 1.0
    assert outside == "шум"  # text outside every ground-truth region is reported, not dropped

    types = by_type(list(regions))
    assert list(types) == ["body", "marginalia", "folio_number"]  # RegionType order
    assert types["body"].rate == pytest.approx(1 / 16)


def test_a_region_nothing_was_read_in_counts_as_all_deleted() -> None:
    output = _page(_region("o1", RegionType.BODY, (100, 300, 900, 700), ("Товарищу СТАЛИНУ", (100, 300, 900, 350))))
    regions, outside = evaluate_regions(GROUND_TRUTH, output, default)
    missed = {r.id: r for r in regions}["g2"]
    assert missed.ocr == ""
    assert missed.chars.deletions == len("Молотову Шерифу")
    assert missed.chars.rate == 1.0
    assert outside == ""


def test_line_mostly_outside_a_region_is_not_credited_to_it() -> None:
    # 60 of the line's 160 px lie inside the body region: below the half that would credit it there
    output = _page(_region("o1", RegionType.BODY, (0, 0, 1000, 1400), ("Товарищу", (840, 300, 1000, 350))))
    regions, outside = evaluate_regions(GROUND_TRUTH, output, default)
    assert {r.id: r for r in regions}["g1"].ocr == ""
    assert outside == "Товарищу"


def test_page_evaluation_carries_regions_only_with_a_ground_truth_layout() -> None:
    output = _page(_region("o1", RegionType.BODY, (100, 300, 900, 700), ("Товарищу СТАЛИНУ", (100, 300, 900, 350))))
    with_layout = evaluate_page("Товарищу СТАЛИНУ", output.text, output=output, gt_layout=GROUND_TRUTH)
    assert [r.id for r in with_layout.regions] == ["g1", "g2", "g3"]
    assert with_layout.by_type["body"].rate == 0.0
    plain = evaluate_page("Товарищу СТАЛИНУ", output.text, output=output)
    assert plain.regions == ()
    assert plain.by_type == {}
