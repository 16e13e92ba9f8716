"""Accuracy benchmark: stock Tesseract, stock OCRmyPDF and ``digitize run`` on the same pages, in one run.

Sets (each skipped with a note when absent):

- ``typical``, ``hard``: the facsimile scans in ``scans/`` with their ground truth in ``ground_truth/``;
- ``corpus``: a fresh ``digitize synth --corpus N --seed S`` set; the default seed was never used for tuning;
- ``real``: the typewritten Soviet pages in ``../shared/real-scans/soviet-letters/`` (``novosibirsk_1972_p*``).

Systems: stock ``tesseract -l rus`` (image to text), stock ``ocrmypdf -l rus --deskew --clean`` (sidecar text),
``digitize run`` (PDF/A included), and ``digitize-ocr``: digitize's preprocessing and reader alone (one
full-page pass on the ink-free OCR image, no layout analysis), which separates the OCR image's share of the
result from region detection's.

For each system and set: CER and WER of the whole page (normalisation profile ``default``, as ``digitize
eval``), body-only CER where PAGE XML ground truth gives the regions, and seconds per page (wall clock, one
page at a time). Figures are weighted by characters. Results go to ``bench/results/accuracy.json`` and
``bench/results/accuracy.md``.

    .venv/bin/python bench/accuracy.py [--corpus 4] [--seed 4242] [--sets typical,hard,corpus,real]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitize.evaluate import normalize  # noqa: E402
from digitize.evaluate.groundtruth import read_layout, read_text  # noqa: E402
from digitize.evaluate.metrics import ZERO, EditCounts, character_errors, word_errors  # noqa: E402
from digitize.evaluate.regions import by_type, evaluate_regions  # noqa: E402
from digitize.models import BBox, Line, PageResult, Region, RegionType  # noqa: E402

BIN = Path(sys.executable).parent
REAL = ROOT.parent / "shared" / "real-scans" / "soviet-letters"
RESULTS = ROOT / "bench" / "results"
SYSTEMS = ("tesseract", "ocrmypdf", "digitize", "digitize-ocr")
#: the resolution stock tools are told for images that record none (digitize's own fallback, too)
FALLBACK_DPI = 300


@dataclass
class PageCase:
    set: str
    doc: str
    image: Path
    gt_text: str
    gt_layout: PageResult | None


@dataclass
class Score:
    chars: EditCounts = ZERO
    words: EditCounts = ZERO
    body: EditCounts = ZERO
    seconds: float = 0.0
    pages: int = 0
    per_page: list[dict[str, object]] = field(default_factory=list)

    def add(self, name: str, ref: str, hyp: str, body: EditCounts | None, seconds: float) -> None:
        r, h = normalize.default(ref), normalize.default(hyp)
        c, w = character_errors(r, h), word_errors(r, h)
        self.chars, self.words, self.seconds, self.pages = (
            self.chars + c,
            self.words + w,
            self.seconds + seconds,
            self.pages + 1,
        )
        if body is not None:
            self.body = self.body + body
        row = {"page": name, "cer": round(c.rate, 5), "wer": round(w.rate, 5), "seconds": round(seconds, 2)}
        if body is not None:
            row["body_cer"] = round(body.rate, 5)
        self.per_page.append(row)

    def to_dict(self) -> dict[str, object]:
        return {
            "cer": round(self.chars.rate, 5),
            "wer": round(self.words.rate, 5),
            "body_cer": round(self.body.rate, 5) if self.body.reference_length else None,
            "chars": self.chars.reference_length,
            "body_chars": self.body.reference_length,
            "seconds_per_page": round(self.seconds / self.pages, 2) if self.pages else None,
            "pages": self.per_page,
        }


def _run(cmd: list[str], timeout: float = 900) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return time.perf_counter() - t0


def _gt_case(set_name: str, doc: str, image: Path, gt_dir: Path) -> PageCase | None:
    txt, xml = gt_dir / f"{image.stem}.gt.txt", gt_dir / f"{image.stem}.xml"
    if not txt.exists() and not xml.exists():
        return None
    layout = read_layout(xml) if xml.exists() else None
    text = read_text(txt) if txt.exists() else "\n\n".join(r.text for r in layout.regions) if layout else ""
    return PageCase(set_name, doc, image, text, layout)


def collect(sets: list[str], corpus_n: int, seed: int, work: Path) -> tuple[list[PageCase], list[str]]:
    cases: list[PageCase] = []
    notes: list[str] = []
    for set_name, doc in (("typical", "bagirov-1946-04-20"), ("hard", "bagirov-1946-04-20-hard")):
        if set_name not in sets:
            continue
        folder, gt = ROOT / "scans" / doc, ROOT / "ground_truth" / doc
        if not folder.is_dir() or not gt.is_dir():
            notes.append(f"{set_name}: {folder} or {gt} missing, skipped")
            continue
        for image in sorted(folder.glob("*.jpg")) + sorted(folder.glob("*.png")) + sorted(folder.glob("*.tif")):
            case = _gt_case(set_name, doc, image, gt)
            if case:
                cases.append(case)
    if "corpus" in sets:
        out = work / "corpus"
        cmd = [str(BIN / "digitize"), "synth", "--corpus", str(corpus_n), "--seed", str(seed)]
        _run(cmd + ["--out", str(out / "img"), "--gt-out", str(out / "gt")])
        for image in sorted((out / "img").glob("*.*")):
            case = _gt_case("corpus", f"corpus-{image.stem}", image, out / "gt")
            if case:
                cases.append(case)
    if "real" in sets:
        if REAL.is_dir():
            for image in sorted(REAL.glob("novosibirsk_1972_p*.jpg")):
                case = _gt_case("real", "novosibirsk_1972", image, REAL)
                if case:
                    cases.append(case)
        else:
            notes.append(f"real: {REAL} absent, skipped")
    return cases, notes


def _tsv_page(tsv: Path, width: int, height: int) -> PageResult:
    """Stock Tesseract's TSV as one region of lines, for per-region scoring."""
    lines: dict[tuple[int, int, int], list[tuple[str, BBox]]] = {}
    for row in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or not parts[11].strip():
            continue
        key = (int(parts[2]), int(parts[3]), int(parts[4]))
        x, y, w, h = (int(v) for v in parts[6:10])
        lines.setdefault(key, []).append((parts[11], BBox(x, y, x + w, y + h)))
    out = [Line(" ".join(t for t, _ in ws), BBox.enclosing([b for _, b in ws]), 0.0) for _, ws in sorted(lines.items())]
    return _one_region(out, width, height)


def _pdf_page(pdf: Path, scale: float, width: int, height: int) -> PageResult:
    """OCRmyPDF's text layer lines (``pdftotext -bbox-layout``) in pixel coordinates."""
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, timeout=120, check=True
    ).stdout
    root = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    out = []
    for ln in root.iter("line"):
        words = [w.text or "" for w in ln.iter("word")]
        box = [float(ln.get(k, 0)) * scale for k in ("xmin", "ymin", "xmax", "ymax")]
        out.append(Line(" ".join(words), BBox(*(int(v) for v in box)), 0.0))
    return _one_region(_reading_order(out), width, height)


def _reading_order(lines: list[Line]) -> list[Line]:
    """pdftotext lists OCRmyPDF's words in flows, not lines: rebuild rows top to bottom, left to right."""
    if not lines:
        return lines
    step = 0.5 * float(np.median([ln.bbox.height for ln in lines]))
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox.y0 + ln.bbox.y1) / 2):
        yc = (ln.bbox.y0 + ln.bbox.y1) / 2
        if rows and abs(yc - (rows[-1][0].bbox.y0 + rows[-1][0].bbox.y1) / 2) <= step:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox.x0)]


def _one_region(lines: list[Line], width: int, height: int) -> PageResult:
    region = Region("r1", RegionType.BODY, BBox(0, 0, width, height), lines=tuple(lines))
    return PageResult(1, "", width, height, 300.0, regions=(region,))


def _body(case: PageCase, page: PageResult) -> EditCounts | None:
    if case.gt_layout is None or not any(r.type is RegionType.BODY for r in case.gt_layout.regions):
        return None
    regions, _ = evaluate_regions(case.gt_layout, page, normalize.default)
    return by_type(list(regions)).get("body")


def _size(image: Path) -> tuple[int, int, float]:
    from PIL import Image

    with Image.open(image) as im:
        dpi = im.info.get("dpi", (0, 0))[0] or FALLBACK_DPI
        return im.width, im.height, float(dpi)


def run_tesseract(case: PageCase, work: Path) -> tuple[str, PageResult, float]:
    base = work / "tess" / f"{case.set}-{case.doc}-{case.image.stem}"
    base.parent.mkdir(parents=True, exist_ok=True)
    seconds = _run(["tesseract", str(case.image), str(base), "-l", "rus", "txt", "tsv"])
    w, h, _ = _size(case.image)
    return base.with_suffix(".txt").read_text(encoding="utf-8"), _tsv_page(base.with_suffix(".tsv"), w, h), seconds


def run_ocrmypdf(case: PageCase, work: Path) -> tuple[str, PageResult, float]:
    base = work / "ocrmypdf" / f"{case.set}-{case.doc}-{case.image.stem}"
    base.parent.mkdir(parents=True, exist_ok=True)
    pdf, sidecar = base.with_suffix(".pdf"), base.with_suffix(".txt")
    w, h, dpi = _size(case.image)
    cmd = [str(BIN / "ocrmypdf"), "-l", "rus", "--deskew", "--clean", "--sidecar", str(sidecar), "-j", "1"]
    cmd += ["--image-dpi", str(int(dpi)), str(case.image), str(pdf)]
    seconds = _run(cmd)
    return sidecar.read_text(encoding="utf-8"), _pdf_page(pdf, dpi / 72.0, w, h), seconds


def run_digitize_ocr(case: PageCase) -> tuple[str, PageResult, float]:
    """digitize's OCR image and reader alone: ``prepare`` then one full-page pass on ``ink_free``, no layout.

    This isolates preprocessing and reading from region detection, which the whole-page figures of
    ``digitize run`` also depend on.
    """
    from PIL import Image

    from digitize.config import OcrConfig, PreprocessConfig
    from digitize.layout import to_original
    from digitize.layout.grouping import lines_from_words
    from digitize.models import PageImage, PageSource
    from digitize.ocr.reader import RegionReader
    from digitize.preprocess import prepare

    w, h, dpi = _size(case.image)
    t0 = time.perf_counter()
    with Image.open(case.image) as im:
        rgb = np.asarray(im.convert("RGB"))
    prepared = prepare(PageImage(rgb, dpi, PageSource(case.image), 1), PreprocessConfig())
    words = RegionReader(OcrConfig()).page_words(prepared, image=prepared.extra["ink_free"])
    lines = lines_from_words(words)
    seconds = time.perf_counter() - t0
    region = to_original(prepared, Region("r1", RegionType.BODY, BBox(0, 0, 1, 1), lines=tuple(lines)))
    page = PageResult(1, "", w, h, dpi, regions=(region,))
    return "\n".join(ln.text for ln in lines), page, seconds


def run_digitize(cases: list[PageCase], work: Path) -> dict[int, tuple[str, PageResult, float]]:
    """``digitize run`` (PDF/A included) on each document alone, one page at a time; wall time per page."""
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        groups.setdefault(f"{case.set}--{case.doc}", []).append(i)
    results: dict[int, tuple[str, PageResult, float]] = {}
    for name, indices in groups.items():
        parent = work / "digitize-in" / name
        (parent / name).mkdir(parents=True, exist_ok=True)
        by_file = {}
        for i in indices:
            shutil.copy(cases[i].image, parent / name / cases[i].image.name)
            by_file[cases[i].image.name] = i
        out = work / "digitize-out"
        cmd = [str(BIN / "digitize"), "run", str(parent), "--out", str(out), "--jobs", "1", "--force"]
        seconds = _run(cmd, 3600) / len(indices)
        doc = json.loads((out / name / f"{name}.json").read_text(encoding="utf-8"))
        for pj in doc["pages"]:
            page = PageResult.from_dict(pj)
            results[by_file[page.source.split("#")[0]]] = (page.text, page, seconds)
    return results


def table(scores: dict[str, dict[str, Score]]) -> str:
    rows = ["| set | pages | system | page CER | page WER | body CER | s/page |", "|---|---|---|---|---|---|---|"]
    for set_name, per_system in scores.items():
        for system in SYSTEMS:
            s = per_system.get(system)
            if s is None or not s.pages:
                continue
            body = f"{100 * s.body.rate:.2f}%" if s.body.reference_length else "-"
            rows.append(
                f"| {set_name} | {s.pages} | {system} | {100 * s.chars.rate:.2f}% | {100 * s.words.rate:.2f}% "
                f"| {body} | {s.seconds / s.pages:.1f} |"
            )
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="typical,hard,corpus,real")
    ap.add_argument("--corpus", type=int, default=4, help="pages of the fresh corpus set")
    ap.add_argument("--seed", type=int, default=4242, help="corpus seed (never used for tuning)")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--keep", type=Path, help="keep the working folder here")
    args = ap.parse_args()
    sets, systems = args.sets.split(","), args.systems.split(",")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="digitize-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        cases, notes = collect(sets, args.corpus, args.seed, work)
        scores: dict[str, dict[str, Score]] = {}
        outputs: dict[str, dict[int, tuple[str, PageResult, float]]] = {}
        if "digitize" in systems:
            outputs["digitize"] = run_digitize(cases, work)
        for i, case in enumerate(cases):
            if "tesseract" in systems:
                outputs.setdefault("tesseract", {})[i] = run_tesseract(case, work)
            if "ocrmypdf" in systems:
                outputs.setdefault("ocrmypdf", {})[i] = run_ocrmypdf(case, work)
            if "digitize-ocr" in systems:
                outputs.setdefault("digitize-ocr", {})[i] = run_digitize_ocr(case)
        for system, per_case in outputs.items():
            for i, (text, page, seconds) in per_case.items():
                case = cases[i]
                score = scores.setdefault(case.set, {}).setdefault(system, Score())
                score.add(f"{case.doc}/{case.image.name}", case.gt_text, text, _body(case, page), seconds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    md = table(scores)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python bench/accuracy.py " + " ".join(sys.argv[1:])
    report = {
        "schema": "digitize.bench.accuracy/1",
        "when": stamp,
        "command": command.strip(),
        "profile": "default",
        "corpus_seed": args.seed if "corpus" in sets else None,
        "notes": notes,
        "sets": {k: {s: v.to_dict() for s, v in d.items()} for k, d in scores.items()},
    }
    (RESULTS / "accuracy.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "accuracy.md").write_text(f"{stamp}, `{command.strip()}`\n\n{md}\n", encoding="utf-8")
    print(md)
    for note in notes:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
