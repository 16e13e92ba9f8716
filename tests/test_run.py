"""`digitize run` end to end on tiny documents of every input type (issue 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE_LINES, render_page
from PIL import Image

from digitize import api
from digitize.config import RunConfig
from digitize.errors import ExitCode
from digitize.evaluate.normalize import default as normalize
from digitize.models import DocumentResult, RegionType
from digitize.sources import discover

EXPECTED_WORDS = ("ПИШЕВАРИ", "Тавриза", "КАВАМ")


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> api.RunResult:
    """One run over a folder holding every kind of input, plus one bad file."""
    scans = tmp_path_factory.mktemp("scans")
    render_page().save(scans / "loose.png", dpi=(300, 300))
    render_page().save(scans / "photo.jpg", quality=92, dpi=(300, 300))
    render_page().save(scans / "scan.jp2")  # JPEG 2000 records no DPI: the fallback applies
    first, second = render_page(), render_page(("Товарищу СТАЛИНУ",))
    first.save(scans / "multi.tif", save_all=True, append_images=[second], dpi=(300, 300), compression="tiff_lzw")
    render_page().save(scans / "scanned.pdf", resolution=300.0)
    folder = scans / "letter"
    folder.mkdir()
    render_page(("Товарищу МОЛОТОВУ",)).save(folder / "page10.png", dpi=(300, 300))
    render_page(("Товарищу СТАЛИНУ",)).save(folder / "page2.png", dpi=(300, 300))
    (folder / "notes.txt").write_text("sidecar, not a page", encoding="utf-8")
    (scans / "broken.png").write_bytes(b"this is not an image at all")
    return api.run(scans, tmp_path_factory.mktemp("out"), config=RunConfig(), jobs=2)


def test_grouping_rules(tmp_path: Path) -> None:
    render_page().save(tmp_path / "a.png")
    sub = tmp_path / "doc"
    sub.mkdir()
    for name in ("p10.png", "p2.png", "p1.png"):
        render_page().save(sub / name)
    (sub / "p1.gt.txt").write_text("ground truth beside a page is not a page", encoding="utf-8")
    render_page().save(tmp_path / "t.tif", save_all=True, append_images=[render_page(), render_page()])
    found = discover(tmp_path)
    docs = {d.name: d for d in found.documents}
    assert set(docs) == {"a", "doc", "t"}
    assert [p.path.name for p in docs["doc"].pages] == ["p1.png", "p2.png", "p10.png"]  # natural order
    assert [p.index for p in docs["t"].pages] == [0, 1, 2]
    assert found.rejected == ()


def test_every_input_type_becomes_a_document(mixed_run: api.RunResult) -> None:
    statuses = {d.name: d for d in mixed_run.batch.documents}
    assert {n for n, s in statuses.items() if s.status == "done"} == {
        "loose", "photo", "scan", "multi", "scanned", "letter"
    }  # fmt: skip
    pages = {n: s.pages for n, s in statuses.items() if s.status == "done"}
    assert pages["multi"] == 2 and pages["letter"] == 2 and pages["loose"] == 1


def test_text_layer_and_txt(mixed_run: api.RunResult) -> None:
    out = mixed_run.out_dir
    for name in ("loose", "photo", "scan", "scanned"):
        pdf_text = normalize(pdftotext(out / name / f"{name}.pdf"))
        txt = (out / name / f"{name}.txt").read_text(encoding="utf-8")
        for word in EXPECTED_WORDS:
            assert word in pdf_text, (name, pdf_text)
            assert word in txt, (name, txt)
    multi = (out / "multi" / "multi.txt").read_text(encoding="utf-8")
    assert multi.count("\f") == 1 and "СТАЛИНУ" in multi.split("\f")[1]
    letter = (out / "letter" / "letter.txt").read_text(encoding="utf-8").split("\f")
    assert "СТАЛИНУ" in letter[0] and "МОЛОТОВУ" in letter[1]  # page2 before page10


def test_pdf_is_pdfa_over_the_original_pixels(mixed_run: api.RunResult, tmp_path: Path) -> None:
    out = mixed_run.out_dir
    with pikepdf.open(out / "loose" / "loose.pdf") as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert len(pdf.pages) == 1
        raw = next(iter(pdf.pages[0].images.values()))
        extracted = pikepdf.PdfImage(raw).as_pil_image().convert("RGB")
    original = render_page()
    assert extracted.size == original.size
    # lossless path (PNG in, Flate in the PDF): the page image is the scan's pixels
    assert extracted.tobytes() == original.tobytes()
    with pikepdf.open(out / "multi" / "multi.pdf") as pdf:
        assert len(pdf.pages) == 2
        width_in = float(pdf.pages[0].mediabox[2]) / 72
    assert abs(width_in - original.width / 300) < 0.01  # the page keeps the scan's physical size


def test_document_json_schema(mixed_run: api.RunResult) -> None:
    data = json.loads((mixed_run.out_dir / "multi" / "multi.json").read_text(encoding="utf-8"))
    assert data["schema"] == "digitize.document/1" and data["document"] == "multi"
    assert len(data["pages"]) == 2
    for number, page in enumerate(data["pages"], start=1):
        assert page["number"] == number
        assert page["source"] == f"multi.tif#{number}"
        assert (page["width"], page["height"], page["dpi"]) == (1400, 420, 300.0)
        assert {"rotation", "skew_deg", "regions"} <= set(page)
        for region in page["regions"]:
            assert {"id", "type", "bbox", "text", "confidence", "lines"} <= set(region)
            RegionType(region["type"])
            x0, y0, x1, y1 = region["bbox"]
            assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"]
            for line in region["lines"]:
                lx0, ly0, lx1, ly1 = line["bbox"]
                assert x0 <= lx0 and y0 <= ly0 and lx1 <= x1 and ly1 <= y1
    assert DocumentResult.from_dict(data).to_dict() == data


def test_jpeg2000_without_dpi_uses_fallback(mixed_run: api.RunResult) -> None:
    data = json.loads((mixed_run.out_dir / "scan" / "scan.json").read_text(encoding="utf-8"))
    assert data["pages"][0]["dpi"] == 300.0


def test_bad_file_is_named_and_others_still_done(mixed_run: api.RunResult) -> None:
    failed = mixed_run.batch.failed
    assert [Path(f.source).name for f in failed] == ["broken.png"]
    assert "broken.png" in failed[0].error and "not an image or PDF" in failed[0].error
    assert "\n" not in failed[0].error
    assert mixed_run.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    assert not (mixed_run.out_dir / "broken").exists()
    leftovers = [p for p in mixed_run.out_dir.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    run_json = json.loads(mixed_run.run_json.read_text(encoding="utf-8"))
    assert run_json["exit_code"] == 3
    assert {"digitize", "tesseract", "ocrmypdf", "traineddata"} <= set(run_json["versions"])
    bad = [d for d in run_json["documents"] if d["status"] == "failed"]
    assert bad[0]["stage"] == "input"


def test_cli_bad_input_one_line_and_exit_code(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    render_page(SAMPLE_LINES[:1]).save(scans / "good.png", dpi=(300, 300))
    (scans / "empty.tif").write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "digitize", "run", str(scans), "--out", str(tmp_path / "out"), "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == ExitCode.SOME_DOCUMENTS_FAILED, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "empty.tif" in ln]
    assert len(lines) == 1 and "empty file" in lines[0]
    assert (tmp_path / "out" / "good" / "good.txt").exists()


def test_rerun_skips_done_and_force_redoes(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    render_page(SAMPLE_LINES[:1]).save(scans / "one.png", dpi=(300, 300))
    cfg = RunConfig().updated(pdf={"enabled": False})
    first = api.run(scans, tmp_path / "out", config=cfg, jobs=1)
    assert [d.status for d in first.batch.documents] == ["done"]
    again = api.run(scans, tmp_path / "out", config=cfg, jobs=1)
    assert [d.status for d in again.batch.documents] == ["skipped"]
    forced = api.run(scans, tmp_path / "out", config=cfg, jobs=1, force=True)
    assert [d.status for d in forced.batch.documents] == ["done"]


def test_png_with_alpha_and_16bit_are_wrapped(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    render_page(SAMPLE_LINES[:1]).convert("RGBA").save(scans / "alpha.png", dpi=(300, 300))
    gray16 = render_page(SAMPLE_LINES[:1]).convert("L").point(lambda v: v * 257, mode="I")
    gray16.convert("I;16").save(scans / "deep.png", dpi=(300, 300))
    result = api.run(scans, tmp_path / "out", jobs=1)
    assert {d.name: d.status for d in result.batch.documents} == {"alpha": "done", "deep": "done"}
    for name in ("alpha", "deep"):
        assert "ПИШЕВАРИ" in pdftotext(tmp_path / "out" / name / f"{name}.pdf")
    with Image.open(scans / "deep.png") as img:
        assert img.mode.startswith("I")
