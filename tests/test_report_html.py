"""report.html renders in headless Chromium: no console errors, a non-blank page, the metric table present."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from test_evaluate import make_run

from digitize.evaluate import evaluate

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (the Makefile's apt step installs it)")
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0", *extra, url,
    ]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    out, gt = make_run(root, gt="page")
    result = evaluate(out, gt, report_dir=root / "report")
    assert result.report is not None
    return result.report.html


def test_report_renders_without_console_errors_and_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    proc = _chromium(tmp_path, report.as_uri(), f"--screenshot={shot}", "--window-size=1280,1600")
    assert shot.is_file(), proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == []
    with Image.open(shot) as img:
        gray = img.convert("L")
        assert gray.size == (1280, 1600)
        assert ImageStat.Stat(gray).stddev[0] > 20  # text, tables and plots, not an empty white page
        dark = sum(gray.histogram()[:128])
        assert dark > 0.005 * gray.width * gray.height


def test_report_dom_has_the_metric_table_and_every_page(report: Path, tmp_path: Path) -> None:
    proc = _chromium(tmp_path, report.as_uri(), "--dump-dom")
    dom = proc.stdout
    table = re.search(r'<table id="metrics".*?</table>', dom, re.S)
    assert table is not None, proc.stderr[-2000:]
    assert "CER (all pages, weighted by characters)" in table.group(0)
    assert "Flexible character accuracy" in table.group(0)
    assert dom.count("<svg") == 2  # one page figure per page
    assert 'id="region-types"' in dom


def test_report_folder_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert links, "the report shows images"
    for link in links:
        assert not link.startswith(("http:", "https:", "/")), link  # nothing fetched from elsewhere
        if not link.startswith("data:"):
            assert (report.parent / link).is_file(), link
