"""Hostile and broken inputs end to end: every bad file named with its reason, nothing lost, nothing
written outside ``--out``, the documented exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE_LINES, render_page
from hostile import jpeg_bytes, make_hostile_folder, pdf_bytes, png_bytes, tiff_bytes, write
from PIL import Image

from digitize import api
from digitize.config import RunConfig
from digitize.errors import ExitCode


def digitize(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digitize", *map(str, args)],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` but ``skip``, without following symlinks: (mode, size, mtime)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder) == skip:
            dirs.clear()
            continue
        for name in dirs + files:
            if Path(folder, name) == skip:
                continue
            st = os.lstat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def shown(name: str) -> str:
    """A file name as a one-line message shows it: newline as space, escapes and non-UTF-8 bytes as ``\\x1b``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace").replace("\n", " ").replace("\x1b", "\\x1b")


def good_documents(scans: Path) -> dict[str, str]:
    """Three small good documents with awkward but legal traits; returns {document name: a word in it}."""
    write(scans / "good.png", png_bytes())
    # a shell-injection name, and a JPEG stored sideways with an EXIF orientation tag
    sideways = render_page(SAMPLE_LINES[:1], size=(700, 140)).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to display": undoes the counter-clockwise rotate(90)
    write(scans / "$(touch pwned); letter.jpg", jpeg_bytes(sideways, exif=exif.tobytes()))
    # a multi-page TIFF whose pages differ in size and colour mode
    first = render_page(SAMPLE_LINES[:1], size=(700, 140))
    second = render_page(SAMPLE_LINES[1:], size=(820, 150)).convert("P")
    write(scans / "Письмо 3.tif", tiff_bytes([first, second]))
    return {"good": "ПИШЕВАРИ", "touch_pwned_letter": "ПИШЕВАРИ", "Письмо_3": "КАВАМ"}


def test_twenty_hostile_files_and_three_good(tmp_path: Path) -> None:
    scans, out = tmp_path / "scans", tmp_path / "out"
    hostile = make_hostile_folder(scans, tmp_path / "outside")
    assert len(hostile) == 20
    good = good_documents(scans)
    before = snapshot(tmp_path, skip=out)
    started = time.monotonic()
    proc = digitize("run", scans, "--out", out, "--max-pixels", "30000000", "--jobs", "2", timeout=400)
    seconds = time.monotonic() - started

    assert proc.returncode == ExitCode.SOME_DOCUMENTS_FAILED, proc.stderr
    assert seconds < 300
    # the good documents are produced, with their text
    for name, word in good.items():
        folder = out / name
        assert {p.suffix for p in folder.iterdir()} >= {".pdf", ".txt", ".json"}, name
        assert word in (folder / f"{name}.txt").read_text(encoding="utf-8"), name
    # every hostile file is named on one stderr line with its reason
    lines = proc.stderr.splitlines()
    for name, reason in hostile.items():
        hits = [ln for ln in lines if shown(Path(name).name) in ln and reason in ln]
        assert hits, f"{name!r}: no line with {reason!r} in\n{proc.stderr}"
    # ... and recorded in run.json with file, stage and reason
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    recorded = {d["source"]: d for d in run["documents"]}
    for name, reason in hostile.items():
        base = Path(name).name
        (entry,) = [d for src, d in recorded.items() if src.endswith((base, shown(base)))]
        assert entry["status"] in ("failed", "skipped") and entry["stage"] and reason in entry["error"]
    assert sorted(d["name"] for d in run["documents"] if d["status"] == "done") == sorted(good)
    # nothing written outside --out (the scans, the symlink target, the tmp folder are untouched)
    assert snapshot(tmp_path, skip=out) == before
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    assert not list(out.rglob(".tmp-*"))


def test_failed_document_leaves_its_previous_good_output(tmp_path: Path) -> None:
    scans, out = tmp_path / "scans", tmp_path / "out"
    write(scans / "letter.jpg", jpeg_bytes())
    cfg = RunConfig().updated(pdf={"enabled": False})
    first = api.run(scans, out, config=cfg, jobs=1)
    assert [d.status for d in first.batch.documents] == ["done"]
    outputs = {p: p.read_bytes() for p in (out / "letter").rglob("*") if p.is_file()}
    assert any(p.suffix == ".txt" for p in outputs)
    # an interrupted copy replaces the scan: the rerun fails and the earlier outputs stay as they were
    data = jpeg_bytes()
    write(scans / "letter.jpg", data[: len(data) // 2])
    second = api.run(scans, out, config=cfg, jobs=1)
    (status,) = second.batch.documents
    assert status.status == "failed" and "truncated" in (status.error or "")
    assert {p: p.read_bytes() for p in (out / "letter").rglob("*") if p.is_file()} == outputs


def test_output_folder_under_a_file_is_not_writable(tmp_path: Path) -> None:
    write(tmp_path / "scans" / "good.png", png_bytes())
    blocker = write(tmp_path / "out", b"a file where the output folder should be")
    proc = digitize("run", tmp_path / "scans", "--out", blocker / "sub", "--no-pdf")
    assert proc.returncode == ExitCode.OUTPUT_NOT_WRITABLE, proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if "error" in ln]
    assert "cannot create output folder" in line


def test_read_only_output_folder(tmp_path: Path) -> None:
    write(tmp_path / "scans" / "good.png", png_bytes())
    out = tmp_path / "out"
    out.mkdir()
    # root ignores permission bits, so the folder is made read-only by a read-only bind mount
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount for a read-only bind")
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(out), str(out)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"read-only bind mount not allowed here: {mounted.stderr.decode().strip()}")
    try:
        started = time.monotonic()
        proc = digitize("run", tmp_path / "scans", "--out", out, "--no-pdf")
        assert time.monotonic() - started < 60  # refused before any page is read
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert proc.returncode == ExitCode.OUTPUT_NOT_WRITABLE, proc.stderr
    assert "output folder is not writable" in proc.stderr
    assert list(out.iterdir()) == []


def test_missing_rus_traineddata_names_the_install_command(tmp_path: Path) -> None:
    write(tmp_path / "scans" / "good.png", png_bytes())
    empty = tmp_path / "tessdata"
    empty.mkdir()
    proc = digitize("run", tmp_path / "scans", "--out", tmp_path / "out", env={"TESSDATA_PREFIX": str(empty)})
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY, proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "'rus'" in line and "apt-get install tesseract-ocr-rus" in line


def test_page_timeout_fails_the_page_not_the_run(tmp_path: Path) -> None:
    write(tmp_path / "scans" / "slow.png", png_bytes())
    cfg = RunConfig().updated(ocr={"page_timeout": 0.01}, pdf={"enabled": False})
    started = time.monotonic()
    result = api.run(tmp_path / "scans", tmp_path / "out", config=cfg, jobs=1)
    assert time.monotonic() - started < 60
    (status,) = result.batch.documents
    assert status.status == "failed" and status.stage == "ocr"
    assert "took longer than" in (status.error or "")
    assert result.exit_code == ExitCode.NO_INPUT


def test_password_and_mode_force_open_what_skip_refuses(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    write(scans / "locked.pdf", pdf_bytes(password="secret"))
    write(scans / "ocred.pdf", pdf_bytes(text="Already OCRed"))
    refused = digitize("run", scans, "--out", tmp_path / "out1", "--no-pdf")
    assert refused.returncode == ExitCode.SOME_DOCUMENTS_FAILED
    assert "give its password with --password" in refused.stderr
    assert "skipped: " in refused.stderr and "already has a text layer" in refused.stderr
    opened = digitize(
        "run", scans, "--out", tmp_path / "out2", "--mode", "force", env={"DIGITIZE_PDF_PASSWORD": "secret"}
    )
    assert opened.returncode == ExitCode.OK, opened.stderr
    for name in ("locked", "ocred"):
        pdf = tmp_path / "out2" / name / f"{name}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "ПИШЕВАРИ" in text, name
    # the output of an encrypted input is not encrypted
    assert b"/Encrypt" not in (tmp_path / "out2" / "locked" / "locked.pdf").read_bytes()


def test_page_timeout_is_a_budget_for_the_whole_page_not_per_region(tmp_path: Path) -> None:
    from digitize.config import OcrConfig
    from digitize.errors import OcrEngineError
    from digitize.models import BBox, PageImage, PageSource, PreparedPage, RegionType
    from digitize.ocr.reader import RegionReader

    gray = np.asarray(render_page(SAMPLE_LINES[:1], size=(700, 140)).convert("L"))
    page = PageImage(np.stack([gray] * 3, axis=2), 300.0, PageSource(tmp_path / "p.png"), 1)
    prepared = PreparedPage(page, gray, page.pixels, 300.0)
    reader = RegionReader(OcrConfig(page_timeout=0.5))
    time.sleep(0.6)  # as if earlier regions of the page had used up the budget
    with pytest.raises(OcrEngineError, match="--page-timeout"):
        reader.read(prepared, BBox(0, 0, 350, 140), RegionType.BODY)
    # a fresh page gets a fresh budget
    assert (
        "ПИШЕВАРИ"
        in RegionReader(OcrConfig(page_timeout=60)).read(prepared, BBox(0, 0, 700, 140), RegionType.BODY).text
    )


def test_symlinked_folder_planted_in_the_output_is_never_written_through(tmp_path: Path) -> None:
    write(tmp_path / "scans" / "letter.png", png_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "letter").symlink_to(elsewhere)
    proc = digitize("run", tmp_path / "scans", "--out", out, "--no-pdf")
    assert proc.returncode == ExitCode.OUTPUT_NOT_WRITABLE, proc.stderr
    assert "is a symlink" in proc.stderr
    assert list(elsewhere.iterdir()) == []
