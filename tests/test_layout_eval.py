"""Layout evaluation: per-type precision/recall/F1 at IoU >= 0.5 and the confusion of types, known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitize.cli import main
from digitize.errors import EvaluationError
from digitize.evaluate.layout import MISSED, SPURIOUS, evaluate_layout, score_page
from digitize.models import BBox, DocumentResult, PageResult, Region, RegionType
from digitize.pagexml import page_to_xml

B, S, M, F = RegionType.BODY, RegionType.STAMP, RegionType.MARGINALIA, RegionType.FOLIO_NUMBER


def _r(t: RegionType, x0: int, y0: int, x1: int, y1: int, rid: str = "") -> Region:
    return Region(rid or f"{t}_{x0}_{y0}", t, BBox(x0, y0, x1, y1))


TRUTH = [
    _r(B, 100, 100, 1000, 400),
    _r(B, 100, 450, 1000, 800),
    _r(S, 700, 300, 1100, 700),
    _r(M, 50, 20, 300, 80),
    _r(F, 1900, 20, 2000, 80),
]


def test_perfect_prediction_scores_one_everywhere() -> None:
    s = score_page(TRUTH, TRUTH)
    assert all(v.f1 == 1.0 for v in s.per_type.values())
    assert s.confusion[("body", "body")] == 2 and s.confusion[("stamp", "stamp")] == 1


def test_known_answer_with_a_merge_a_wrong_type_and_a_spurious_region() -> None:
    pred = [
        _r(B, 100, 100, 1000, 850),  # both paragraphs merged: IoU with each < 0.5
        _r(S, 710, 310, 1090, 690),  # right
        _r(B, 50, 20, 300, 80),  # the marginal note taken for body
        _r(F, 1900, 20, 2000, 80),  # right
        _r(M, 1500, 1500, 1600, 1600),  # nothing there
    ]
    s = score_page(pred, TRUTH)
    body = s.per_type["body"]
    assert (body.tp, body.fp, body.fn) == (0, 2, 2)
    assert s.per_type["stamp"].f1 == 1.0 and s.per_type["folio_number"].f1 == 1.0
    marg = s.per_type["marginalia"]
    assert (marg.tp, marg.fp, marg.fn) == (0, 1, 1)
    assert s.confusion[("marginalia", "body")] == 1
    assert s.confusion[("body", MISSED)] == 2
    assert s.confusion[(SPURIOUS, "marginalia")] == 1
    # the merged paragraph overlaps the first paragraph with IoU < 0.5, but it overlaps nothing else either
    assert s.confusion[(SPURIOUS, "body")] == 1
    assert s.overall.tp == 2


def test_iou_threshold_is_inclusive_and_adjustable() -> None:
    truth = [_r(B, 0, 0, 100, 100)]
    half = [_r(B, 0, 0, 100, 50)]  # IoU exactly 0.5
    assert score_page(half, truth).per_type["body"].tp == 1
    assert score_page(half, truth, iou_threshold=0.6).per_type["body"].tp == 0


def test_empty_page_on_both_sides_is_not_an_error() -> None:
    s = score_page([], [])
    # nothing to find and nothing found: no error was made, so precision and recall are 1
    assert s.per_type == {} and s.overall.f1 == 1.0 and s.pages == 1


def _write_run(tmp_path: Path, pred: list[Region]) -> tuple[Path, Path]:
    out, gt = tmp_path / "out", tmp_path / "gt"
    page = PageResult(1, "0001.jpg", 2480, 3508, 300.0, tuple(pred))
    doc = DocumentResult("letter", "scans/letter", (page,))
    (out / "letter").mkdir(parents=True)
    (out / "letter" / "letter.json").write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
    (gt / "letter").mkdir(parents=True)
    truth = PageResult(1, "0001.jpg", 2480, 3508, 300.0, tuple(TRUTH))
    (gt / "letter" / "0001.xml").write_bytes(page_to_xml(truth, "0001.jpg"))
    return out, gt


def test_evaluate_layout_reads_outputs_and_page_xml(tmp_path: Path) -> None:
    out, gt = _write_run(tmp_path, TRUTH[:3])
    report = evaluate_layout(out, gt)
    assert report.total.per_type["body"].f1 == 1.0
    assert report.total.per_type["folio_number"].recall == 0.0
    assert report.unmatched == []


def test_missing_ground_truth_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    out, gt = _write_run(tmp_path, TRUTH)
    (gt / "letter" / "0001.xml").unlink()
    with pytest.raises(EvaluationError):
        evaluate_layout(out, gt)


def test_layout_eval_command_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    out, gt = _write_run(tmp_path, TRUTH[:4])
    result = CliRunner().invoke(main, ["layout-eval", str(out), "--ground-truth", str(gt)])
    assert result.exit_code == 0, result.output
    assert "folio_number" in result.output and "F1" in result.output
    data = json.loads((out / "layout-report.json").read_text(encoding="utf-8"))
    rows = {r["type"]: r for r in data["total"]["per_type"]}
    assert rows["folio_number"]["recall"] == 0.0 and rows["stamp"]["f1"] == 1.0
    assert data["iou_threshold"] == 0.5
