"""Throughput benchmark: ``digitize run`` beside stock OCRmyPDF on the same pages and cores, in one run.

Three parts, each printed as a table and written to ``bench/results/throughput.json`` and ``.md``:

1. **Pages per minute** on ``--pages`` facsimile pages from ``digitize synth --corpus`` (one page per
   document), for each ``--jobs`` value: ``digitize run --jobs N`` (layout, every export, PDF/A) and
   ``ocrmypdf -l rus --deskew --clean --output-type pdfa --jobs N``. OCRmyPDF gets its best case: all pages
   in one multi-page input (wrapped losslessly with img2pdf, not timed), so its ``--jobs`` runs pages in
   parallel. The two alternate (digitize first for the first jobs value, OCRmyPDF first for the next) so
   neither always runs on a cooler or hotter machine. Peak RSS is of the whole process tree, sampled.
2. **Peak RSS against batch size**: ``digitize run --jobs 2`` on ``--rss-pages`` small synthetic pages
   (documents of 10 pages, with PDF/A); memory must stay flat when the batch grows tenfold.
3. **Resume after kill -9** (``--resume N``): ``digitize run`` on N small pages (documents of 10) is killed
   with SIGKILL when half the pages are recorded, then rerun: pages read again, and the rerun's time beside
   a clean run's. The page cache (``OUT/<doc>/.pages/``) is what spares the finished pages of unfinished
   documents.
4. **Profile** (``--profile``): pyinstrument over one page read and one document export in this process,
   the work a pool worker does; the top of the call tree is printed and saved.

    .venv/bin/python bench/throughput.py [--pages 50] [--jobs 1,2] [--rss-pages 50,500] [--resume 50] [--profile]

The machine is shared: run the full benchmark at most once or twice; ``--pages 10 --rss-pages 20,100`` for
a quick look.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

print = functools.partial(print, flush=True)  # progress shows while a long run goes on

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "tmp" / "throughput"  # ignored by git; kept between runs so the corpus is made once
FONT = "/usr/share/fonts/truetype/freefont/FreeMono.ttf"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


@dataclass
class Measure:
    system: str
    jobs: int
    pages: int
    seconds: float
    peak_rss_mb: float  # whole process tree (parent, workers, Tesseracts, Ghostscript), summed RSS
    peak_parent_rss_mb: float
    exit_code: int
    peak_pss_mb: float = 0.0  # the same tree in PSS: pages shared after fork counted once, not per process

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0


def measured(cmd: list[str], log: Path) -> tuple[float, float, float, float, int]:
    """Run ``cmd``; wall seconds, peak RSS (MB) of its process tree and of itself, tree PSS, exit code."""
    peak_tree = peak_parent = peak_pss = 0
    with log.open("w") as err:
        t0 = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None:
            tree = [proc]
            try:
                tree += proc.children(recursive=True)
            except psutil.Error:
                pass
            total = pss = 0
            for p in tree:
                try:
                    full = p.memory_full_info()
                except psutil.Error:
                    continue
                total += full.rss
                pss += getattr(full, "pss", full.rss)
                if p.pid == proc.pid:
                    peak_parent = max(peak_parent, full.rss)
            peak_tree, peak_pss = max(peak_tree, total), max(peak_pss, pss)
            time.sleep(0.2)
        seconds = time.perf_counter() - t0
    return seconds, peak_tree / 2**20, peak_parent / 2**20, peak_pss / 2**20, int(proc.returncode)


def images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def synth_corpus(n: int) -> Path:
    """``n`` facsimile pages from ``digitize synth --corpus`` (made once, then reused)."""
    folder = WORK / f"corpus-{n}"
    pages = folder / "pages"
    if len(images(pages)) == n:
        return pages
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [str(BIN / "digitize"), "synth", "--corpus", str(n), "--seed", "7", "--out", str(pages)]
    subprocess.run([*cmd, "--gt-out", str(folder / "gt")], check=True, capture_output=True, timeout=3600)
    if len(images(pages)) != n:
        raise SystemExit(f"digitize synth made {len(images(pages))} pages in {pages}, not {n}")
    return pages


def small_pages(n: int, per_doc: int = 10) -> Path:
    """``n`` small two-line pages in documents of ``per_doc`` pages: cheap, so 500 of them fit a benchmark."""
    from PIL import Image, ImageDraw, ImageFont

    folder = WORK / f"small-{n}"
    if len(images(folder)) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    font = ImageFont.truetype(FONT, 42)
    for i in range(n):
        doc = folder / f"doc{i // per_doc + 1:04d}"
        doc.mkdir(parents=True, exist_ok=True)
        img = Image.new("RGB", (1000, 240), "white")
        draw = ImageDraw.Draw(img)
        draw.text((60, 50), "Товарищу СТАЛИНУ", font=font, fill=(20, 20, 20))
        draw.text((60, 140), f"Документ {i // per_doc + 1} лист {i % per_doc + 1}", font=font, fill=(20, 20, 20))
        img.save(doc / f"p{i % per_doc + 1:02d}.png", dpi=(300, 300))
    return folder


def run_digitize(pages: Path, jobs: int, n: int, tag: str) -> Measure:
    out = WORK / "out" / tag
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "digitize"), "run", str(pages), "--out", str(out), "--jobs", str(jobs), "--quiet"]
    seconds, tree, parent, pss, code = measured(cmd, WORK / f"{tag}.log")
    return Measure("digitize run", jobs, n, seconds, tree, parent, code, pss)


def run_ocrmypdf(pages: Path, jobs: int, n: int, tag: str) -> Measure:
    import img2pdf

    merged = WORK / f"corpus-{n}.pdf"
    if not merged.exists():  # wrapping is not OCRmyPDF's work; done once, outside the timing
        merged.write_bytes(img2pdf.convert([str(p) for p in images(pages)]))
    out = WORK / "out" / f"{tag}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(BIN / "ocrmypdf"), "-l", "rus", "--deskew", "--clean", "--output-type", "pdfa"]
    cmd += ["--jobs", str(jobs), str(merged), str(out)]
    seconds, tree, parent, pss, code = measured(cmd, WORK / f"{tag}.log")
    return Measure("ocrmypdf --deskew --clean", jobs, n, seconds, tree, parent, code, pss)


def resume_after_kill(n: int) -> dict[str, float]:
    """Kill a run with SIGKILL half-way, rerun it; what the rerun had to redo, and its time."""
    import os
    import signal
    import sqlite3

    pages = small_pages(n)
    clean = run_digitize(pages, 2, n, f"resume-clean-{n}")
    out = WORK / "out" / f"resume-{n}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "digitize"), "run", str(pages), "--out", str(out), "--jobs", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    done = 0
    while proc.poll() is None and done < n // 2:
        time.sleep(0.2)
        try:
            with sqlite3.connect(f"file:{out / 'digitize.sqlite'}?mode=ro", uri=True) as db:
                done = db.execute("SELECT COUNT(*) FROM pages WHERE status = 'done'").fetchone()[0]
        except sqlite3.Error:
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False, timeout=3600)
    rerun = time.perf_counter() - t0
    progress = json.loads((out / "run.json").read_text(encoding="utf-8"))["progress"]
    return {
        "pages": n,
        "pages_recorded_at_kill": done,
        "pages_read_by_rerun": progress["pages_read"],
        "pages_reused_by_rerun": progress["pages_reused"],
        "rerun_seconds": round(rerun, 1),
        "clean_run_seconds": round(clean.seconds, 1),
    }


def profile(pages: Path) -> str:
    """pyinstrument over what one worker does for one page and one document, in this process."""
    from pyinstrument import Profiler

    from digitize.config import RunConfig
    from digitize.models import DocumentResult
    from digitize.pipeline import outputs_for, process_page, write_document
    from digitize.sources import discover, load_page

    cfg = RunConfig()
    source = discover(pages).documents[0]
    process_page(load_page(source.pages[0], 1, cfg.input), cfg)  # warm up imports and caches
    profiler = Profiler(interval=0.005)
    profiler.start()
    result = process_page(load_page(source.pages[0], 1, cfg.input), cfg)
    write_document(
        DocumentResult(source.name, str(source.path), (result,)), source, outputs_for(WORK / "profile", "p"), cfg
    )
    profiler.stop()
    return profiler.output_text(unicode=True, color=False, show_all=False)


def markdown(
    rows: list[Measure], rss: list[Measure], resume: dict[str, float] | None, top: str | None, meta: dict[str, object]
) -> str:
    out = [
        "# Throughput: `digitize run` beside OCRmyPDF",
        "",
        f"{meta['date']}, {meta['cpus']} cores, load average at start {meta['load']}; "
        f"`{' '.join(sys.argv[1:]) or '(defaults)'}`",
        "",
        "| system | jobs | pages | seconds | pages/min | s/page | peak RSS tree (MB) | peak PSS tree (MB) "
        "| peak RSS parent (MB) | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in rows + rss:
        out.append(
            f"| {m.system} | {m.jobs} | {m.pages} | {m.seconds:.1f} | {m.pages_per_minute:.2f} | "
            f"{m.seconds / m.pages:.2f} | {m.peak_rss_mb:.0f} | {m.peak_pss_mb:.0f} | {m.peak_parent_rss_mb:.0f} "
            f"| {m.exit_code} |"
        )
    if resume:
        out += [
            "",
            "## Resume after kill -9",
            "",
            "| pages | recorded at kill | read by rerun | reused by rerun | rerun s | clean run s |",
            "|---:|---:|---:|---:|---:|---:|",
            "| {pages} | {pages_recorded_at_kill} | {pages_read_by_rerun} | {pages_reused_by_rerun} | "
            "{rerun_seconds} | {clean_run_seconds} |".format(**resume),
        ]
    if top:
        out += ["", "## Profile (one page read and its document exported, in one process)", "", "```", top, "```"]
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=50, help="facsimile pages for the throughput comparison")
    ap.add_argument("--jobs", default="1,2", help="comma-separated job counts (default 1,2)")
    ap.add_argument("--rss-pages", default="50,500", help="small-page batch sizes for RSS (empty to skip)")
    ap.add_argument("--resume", type=int, default=0, help="small pages for the kill -9 and rerun part (0: skip)")
    ap.add_argument("--name", default="throughput", help="results file stem in bench/results (default throughput)")
    ap.add_argument("--profile", action="store_true", help="profile one page and one export with pyinstrument")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": psutil.cpu_count(),
        "load": " ".join(f"{x:.1f}" for x in psutil.getloadavg()),
        "python": platform.python_version(),
        "argv": sys.argv[1:],
    }
    rows: list[Measure] = []
    if args.pages > 0:
        pages = synth_corpus(args.pages)
        for i, jobs in enumerate(int(j) for j in args.jobs.split(",")):
            runners = [run_digitize, run_ocrmypdf] if i % 2 == 0 else [run_ocrmypdf, run_digitize]
            for runner in runners:
                m = runner(pages, jobs, args.pages, f"{runner.__name__}-{jobs}")
                rows.append(m)
                rate = f"{m.pages_per_minute:6.2f} pages/min"
                print(f"{m.system:28s} jobs={jobs} {rate}, RSS {m.peak_rss_mb:.0f} MB, PSS {m.peak_pss_mb:.0f} MB")
    rss: list[Measure] = []
    for n in (int(x) for x in args.rss_pages.split(",") if x):
        m = run_digitize(small_pages(n), 2, n, f"rss-{n}")
        m.system = "digitize run (small pages)"
        rss.append(m)
        print(f"{m.system:28s} pages={n} RSS {m.peak_rss_mb:.0f} MB, PSS {m.peak_pss_mb:.0f} MB", flush=True)
    resume = resume_after_kill(args.resume) if args.resume else None
    if resume:
        print(f"resume after kill -9: {resume}", flush=True)
    top = None
    if args.profile:
        top = profile(synth_corpus(args.pages) if args.pages > 0 else small_pages(10))
        top = "\n".join(top.splitlines()[:60])
        print(top)
    report = markdown(rows, rss, resume, top, meta)
    print(report)
    results = {
        "meta": meta,
        "throughput": [asdict(m) | {"pages_per_minute": round(m.pages_per_minute, 3)} for m in rows],
        "rss": [asdict(m) for m in rss],
        "resume": resume,
        "profile_top": top,
    }
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{args.name}.md").write_text(report)
    return 0 if all(m.exit_code == 0 for m in rows + rss) else 1


if __name__ == "__main__":
    sys.exit(main())
