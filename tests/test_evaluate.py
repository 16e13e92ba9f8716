"""`digitize eval` end to end on small run outputs written by the test (no OCR), and against a real run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from digitize import api
from digitize.cli import main
from digitize.errors import EvaluationError, ExitCode
from digitize.evaluate import evaluate, summarize
from digitize.models import BBox, DocumentResult, Line, PageResult, Region, RegionType
from digitize.pagexml import page_to_xml

DOC = "letter-1946"
GT_PAGES = {
    "0001": "Товарищу СТАЛИНУ\n\nПИШЕВАРИ и наши люди из Тавриза сообщают",
    "0002": "Молотову Шерифу\n\n118",
}
OCR_PAGES = {
    "0001": "Товарищу СТАЛИНУ\n\nПИШЕВАРИ и нащи люди из Тавриза сообщают",  # one substitution
    "0002": "Молотову Шерифу\n\n11",  # one deletion
}


def _region(rid: str, rtype: RegionType, box: tuple[int, int, int, int], text: str) -> Region:
    return Region(rid, rtype, BBox(*box), text, 0.9, (Line(text, BBox(*box), 0.9),))


def _regions(key: str, text: str) -> tuple[Region, ...]:
    first, second = text.split("\n\n")
    if key == "0001":
        return (
            _region("r1", RegionType.ADDRESSEE, (40, 20, 300, 50), first),
            _region("r2", RegionType.BODY, (40, 80, 360, 400), second),
        )
    return (
        _region("r1", RegionType.MARGINALIA, (200, 20, 380, 60), first),
        _region("r2", RegionType.FOLIO_NUMBER, (340, 440, 390, 480), second),
    )


def make_run(
    root: Path,
    *,
    gt: str = "text",
    ocr: dict[str, str] | None = None,
    gt_pages: dict[str, str] | None = None,
) -> tuple[Path, Path]:
    """A run's output folder (document JSON, run.json, scans) and a ground-truth folder; returns (out, gt)."""
    ocr = OCR_PAGES if ocr is None else ocr
    gt_pages = GT_PAGES if gt_pages is None else gt_pages
    scans, out, gt_dir = root / "scans", root / "out", root / "gt"
    (scans / DOC).mkdir(parents=True)
    (out / DOC).mkdir(parents=True)
    (gt_dir / DOC).mkdir(parents=True)
    pages = []
    for number, (key, text) in enumerate(ocr.items(), start=1):
        img = Image.new("RGB", (400, 500), "white")
        draw = ImageDraw.Draw(img)
        for y in range(90, 400, 25):
            draw.line((50, y, 350, y), fill=(40, 40, 40), width=3)  # stand-ins for typed lines
        img.save(scans / DOC / f"{key}.png")
        pages.append(PageResult(number, f"{key}.png", 400, 500, 300.0, _regions(key, text)))
    doc = DocumentResult(DOC, str(scans / DOC), tuple(pages))
    (out / DOC / f"{DOC}.json").write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
    (out / "run.json").write_text(json.dumps({"input": str(scans)}), encoding="utf-8")
    for key, text in gt_pages.items():
        if gt == "text":
            (gt_dir / DOC / f"{key}.gt.txt").write_text(text + "\n", encoding="utf-8")
        elif gt == "page":
            layout = PageResult(1, f"{key}.png", 400, 500, 300.0, _regions(key, text))
            (gt_dir / DOC / f"{key}.xml").write_bytes(page_to_xml(layout, f"{key}.png"))
    if gt == "whole":
        (gt_dir / f"{DOC}.gt.txt").write_text("\f".join(gt_pages.values()), encoding="utf-8")
    return out, gt_dir


def test_per_page_ground_truth_gives_page_document_and_batch_figures(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path)
    summary = summarize(out, gt)
    (doc,) = summary.documents
    assert [p.number for p in doc.pages] == [1, 2]
    p1, p2 = doc.pages
    assert (p1.chars.substitutions, p1.chars.insertions, p1.chars.deletions) == (1, 0, 0)
    assert (p2.chars.substitutions, p2.chars.insertions, p2.chars.deletions) == (0, 0, 1)
    n1, n2 = p1.chars.reference_length, p2.chars.reference_length
    assert n1 == len("Товарищу СТАЛИНУ ПИШЕВАРИ и наши люди из Тавриза сообщают")  # default profile: one space
    assert summary.chars.rate == pytest.approx(2 / (n1 + n2))  # weighted by characters
    assert summary.mean_page_cer == pytest.approx((1 / n1 + 1 / n2) / 2)
    assert p1.words.rate == pytest.approx(1 / 9)
    assert p1.bow.recall == pytest.approx(8 / 9)
    assert summary.unmatched == []


def test_report_files_agree_with_the_summary(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path)
    result = evaluate(out, gt, report_dir=tmp_path / "report")
    assert result.report is not None
    data = json.loads(result.report.json.read_text(encoding="utf-8"))
    assert data["schema"] == "digitize.accuracy/2"
    assert data["profile"] == "default"
    assert data["cer"] == round(result.summary.chars.rate, 6)
    assert data["cer_exact"] == round(result.summary.exact_chars.rate, 6)
    assert data["char_edits"]["substitutions"] == 1 and data["char_edits"]["deletions"] == 1
    assert {"precision", "recall", "f1"} <= set(data["bag_of_words"])
    assert 0 < data["flexible_character_accuracy"] <= 1
    assert data["confusions"][0]["count"] == 1
    rows = list(csv.DictReader(result.report.csv.open(encoding="utf-8")))
    assert [(r["document"], r["page"]) for r in rows] == [(DOC, "1"), (DOC, "2")]
    assert float(rows[0]["cer"]) == data["documents"][0]["pages"][0]["cer"]
    html = result.report.html.read_text(encoding="utf-8")
    assert 'id="metrics"' in html
    assert sorted(p.name for p in (tmp_path / "report" / "assets").glob("*.jpg")) == [
        f"{DOC}-p1.jpg",
        f"{DOC}-p2.jpg",
    ]
    with Image.open(tmp_path / "report" / "assets" / f"{DOC}-p1.jpg") as thumb:
        assert thumb.size == (400, 500)  # smaller than the report width: kept as is


def test_ocr_text_is_escaped_in_the_html(tmp_path: Path) -> None:
    hostile = {"0001": "Товарищу <script>alert(1)</script>\n\nПИШЕВАРИ", "0002": "Молотову Шерифу\n\n118"}
    out, gt = make_run(tmp_path, ocr=hostile)
    result = evaluate(out, gt, report_dir=tmp_path / "report")
    assert result.report is not None
    html = result.report.html.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_page_xml_ground_truth_gives_figures_per_region_type(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path, gt="page")
    summary = summarize(out, gt)
    types = summary.by_type
    assert list(types) == ["body", "addressee", "marginalia", "folio_number"]
    assert types["body"].substitutions == 1
    assert types["addressee"].rate == 0.0
    assert types["folio_number"].deletions == 1
    assert types["folio_number"].rate == pytest.approx(1 / 3)
    region_rows = summary.to_dict()["documents"][0]["pages"][1]["regions"]
    assert {r["type"] for r in region_rows} == {"marginalia", "folio_number"}


def test_whole_document_ground_truth(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path, gt="whole")
    result = evaluate(out, gt, report_dir=tmp_path / "report")
    (doc,) = result.summary.documents
    (whole,) = doc.pages
    assert whole.source == "(whole document)"
    assert whole.chars.edits == 2
    assert result.report is not None
    assert "whole-document ground truth: no page image" in result.report.html.read_text(encoding="utf-8")


def test_everything_unmatched_is_reported(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path, gt_pages={"0001": GT_PAGES["0001"], "0003": "лишняя страница"})
    (out / "orphan").mkdir()
    (out / "orphan" / "orphan.json").write_text(
        json.dumps(DocumentResult("orphan", "", ()).to_dict()), encoding="utf-8"
    )
    (gt / "never-scanned").mkdir()
    (gt / "never-scanned" / "0001.gt.txt").write_text("текст", encoding="utf-8")
    summary = summarize(out, gt)
    assert summary.without_ground_truth == ("orphan",)
    assert summary.without_output == ("never-scanned",)
    assert summary.documents[0].unmatched == (
        "output page 2 (0002.png) has no ground truth",
        "ground-truth page 0003.gt.txt matches no output page",
    )
    assert len(summary.unmatched) == 4
    assert summary.to_dict()["unmatched"] == summary.unmatched


def test_empty_ground_truth_page(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path, gt_pages={"0001": "", "0002": GT_PAGES["0002"]})
    p1, p2 = summarize(out, gt).documents[0].pages
    assert p1.chars.reference_length == 0
    assert p1.chars.rate == 1.0  # text where there should be none
    summary = summarize(out, gt)
    assert summary.mean_page_cer == pytest.approx(p2.chars.rate)  # the empty page is left out of the mean
    assert summary.chars.rate == pytest.approx((p1.chars.edits + p2.chars.edits) / p2.chars.reference_length)


def test_ground_truth_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path)
    (gt / DOC / "0001.gt.txt").write_bytes("Товарищу".encode("cp1251"))
    with pytest.raises(EvaluationError, match="not UTF-8"):
        summarize(out, gt)


def test_cli_eval(tmp_path: Path) -> None:
    out, gt = make_run(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["eval", str(out), "--ground-truth", str(gt), "--profile", "lenient"])
    assert res.exit_code == 0, res.output
    assert "CER" in res.output and DOC in res.output
    data = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    assert data["profile"] == "lenient"

    res = runner.invoke(main, ["eval", str(out), "--ground-truth", str(gt), "--profile", "loose"])
    assert res.exit_code == ExitCode.BAD_USAGE

    empty = tmp_path / "empty-gt"
    empty.mkdir()
    res = runner.invoke(main, ["eval", str(out), "--ground-truth", str(empty), "--report", str(tmp_path / "r")])
    assert res.exit_code == ExitCode.EVALUATION_FAILED
    assert "no output document has ground truth" in res.output


def test_report_of_eval_matches_that_of_run(tmp_path: Path, write_page) -> None:  # type: ignore[no-untyped-def]
    """`digitize eval` on a run's output gives the figures `digitize run --ground-truth` wrote."""
    from digitize.config import RunConfig

    write_page("scans/letter/0001.png")
    gt = tmp_path / "gt" / "letter"
    gt.mkdir(parents=True)
    (gt / "0001.gt.txt").write_text("ПИШЕВАРИ и наши люди из Тавриза\nсообщают, что КАВАМ оттягивает\n", "utf-8")
    cfg = RunConfig().updated(pdf={"enabled": False})
    result = api.run(tmp_path / "scans", tmp_path / "out", config=cfg, jobs=1, ground_truth=tmp_path / "gt")
    assert result.report is not None and result.accuracy_json is not None
    from_run = json.loads(result.report.json.read_text(encoding="utf-8"))
    assert json.loads(result.accuracy_json.read_text(encoding="utf-8")) == from_run
    again = api.evaluate(tmp_path / "out", tmp_path / "gt", report=tmp_path / "again")
    assert again.report is not None
    from_eval = json.loads(again.report.json.read_text(encoding="utf-8"))
    assert from_eval == from_run
    assert (from_run["pages"], from_run["chars"]) == (1, 62)  # the page was matched and measured
    assert (tmp_path / "out" / "report" / "assets" / "letter-p1.jpg").is_file()


def test_public_names_are_complete() -> None:
    import digitize.evaluate as ev

    public = {n for n in dir(ev) if not n.startswith("_") and not isinstance(getattr(ev, n), type(ev))}
    public -= {"annotations", "dataclass", "Path"}
    assert set(ev.__all__) == public


def test_a_document_named_report_keeps_its_output(tmp_path: Path) -> None:
    from digitize.evaluate import default_report_dir

    out = tmp_path / "out"
    assert default_report_dir(out) == out / "report"
    (out / "report").mkdir(parents=True)
    doc = DocumentResult("report", "", ())
    (out / "report" / "report.json").write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    assert default_report_dir(out) == out / "accuracy-report"


@pytest.mark.slow
def test_facsimile_scans_eval_matches_run(tmp_path: Path) -> None:
    """On the facsimile scans, `digitize eval` reports the figures `digitize run --ground-truth` wrote."""
    repo = Path(__file__).resolve().parent.parent
    scans, gt = repo / "scans", repo / "ground_truth"
    if not (scans / "bagirov-1946-04-20").is_dir():
        pytest.skip("facsimile scans not present")
    from digitize.config import RunConfig

    cfg = RunConfig().updated(pdf={"enabled": False})
    result = api.run(scans, tmp_path / "out", config=cfg, jobs=2, ground_truth=gt)
    assert result.report is not None
    from_run = json.loads(result.report.json.read_text(encoding="utf-8"))
    again = api.evaluate(tmp_path / "out", gt, report=tmp_path / "again")
    assert again.report is not None
    assert json.loads(again.report.json.read_text(encoding="utf-8")) == from_run
    assert from_run["by_region_type"]  # the facsimiles come with PAGE XML: per-type figures exist
    assert len(list((tmp_path / "out" / "report" / "assets").glob("*.jpg"))) == from_run["pages"]


def test_bad_ground_truth_keeps_the_run_record(tmp_path: Path, write_page) -> None:  # type: ignore[no-untyped-def]
    from digitize.config import RunConfig

    write_page("scans/letter/0001.png", ("Товарищу СТАЛИНУ",))
    gt = tmp_path / "gt" / "letter"
    gt.mkdir(parents=True)
    (gt / "0001.gt.txt").write_bytes("Товарищу СТАЛИНУ".encode("cp1251"))
    cfg = RunConfig().updated(pdf={"enabled": False})
    with pytest.raises(EvaluationError, match="not UTF-8"):
        api.run(tmp_path / "scans", tmp_path / "out", config=cfg, jobs=1, ground_truth=tmp_path / "gt")
    assert json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))["documents"]
    assert (tmp_path / "out" / "letter" / "letter.json").is_file()
