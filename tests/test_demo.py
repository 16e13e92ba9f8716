"""The demo job on the committed facsimiles: what `make demo` promises a newcomer (issue 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pytest

from digitize import api

REPO = Path(__file__).resolve().parent.parent
DOC = "bagirov-1946-04-20"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> api.RunResult:
    scans = tmp_path_factory.mktemp("scans")
    shutil.copytree(REPO / "scans" / DOC, scans / DOC)  # the typical set only: 3 pages
    return api.run(scans, tmp_path_factory.mktemp("out"), ground_truth=REPO / "ground_truth", jobs=2)


def test_demo_document_is_done(demo: api.RunResult) -> None:
    assert [(d.name, d.status) for d in demo.batch.documents] == [(DOC, "done")]
    assert demo.exit_code == 0


def test_text_layer_reads_the_letter(demo: api.RunResult) -> None:
    pdf = demo.out_dir / DOC / f"{DOC}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "ПИШЕВАРИ" in text
    assert "КАВАМ" in text or "Кавам" in text


def test_pdf_is_pdfa_with_metadata_and_the_scans_own_jpegs(demo: api.RunResult) -> None:
    pdf_path = demo.out_dir / DOC / f"{DOC}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    assert "Letter from Bagirov to Stalin and Molotov" in info
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert len(pdf.pages) == 3
        for number, page in enumerate(pdf.pages, start=1):
            (raw,) = page.images.values()
            filters = [str(f) for f in raw.Filter] if isinstance(raw.Filter, pikepdf.Array) else [str(raw.Filter)]
            assert filters[-1] == "/DCTDecode"
            # under OCRmyPDF's lossless Flate, the JPEG data is the scan file's own bytes: no re-encoding
            data = raw.read_raw_bytes()
            jpeg = zlib.decompress(data) if filters[0] == "/FlateDecode" else data
            assert jpeg == (REPO / "scans" / DOC / f"{number:04d}.jpg").read_bytes()


def test_accuracy_summary_is_written_and_sane(demo: api.RunResult) -> None:
    data = json.loads((demo.out_dir / "accuracy.json").read_text(encoding="utf-8"))
    (doc,) = [d for d in data["documents"] if d["document"] == DOC]
    assert [p["page"] for p in doc["pages"]] == [1, 2, 3]
    assert doc["chars"] == sum(p["chars"] for p in doc["pages"]) > 1500
    # a golden bound, not byte equality: the typical facsimile must read well
    assert doc["cer"] <= 0.10, doc["cer"]
