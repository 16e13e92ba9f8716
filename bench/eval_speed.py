"""How long evaluation takes on a 200-page corpus, beside a baseline measured in the same run.

The corpus is made in a temporary folder: ``--docs`` documents of ``--pages`` pages each, ground truth cut
from the source document's transcription (``ground_truth/bagirov-1946-04-20/*.gt.txt``), and "OCR" made from it
by seeded random edits (``--error-rate`` of the characters substituted, deleted or inserted, and one line per page
moved elsewhere, as a marginal note read in another order would be). Each page has lines with boxes in two
regions and a small scan, so per-region matching and the report's page figures run too.

Measured:
- baseline: ``jiwer.cer`` over the same page pairs (one plain Levenshtein per page, nothing else);
- ``summarize``: every measure of ``digitize eval`` (CER/WER exact and profiled, bag of words, flexible
  character accuracy, per-region matching, confusions);
- ``write_report``: report.json, report.csv, report.html with 200 page thumbnails and the plots.

    .venv/bin/python bench/eval_speed.py            # 20 documents x 10 pages

Writes ``bench/results/eval_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jiwer  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from digitize.evaluate import summarize, write_report  # noqa: E402
from digitize.evaluate.normalize import default  # noqa: E402
from digitize.models import BBox, DocumentResult, Line, PageResult, Region, RegionType  # noqa: E402

ALPHABET = "абвгдежзийклмнопрстуфхцчшщыьэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ.,-0123456789"


def _source_lines() -> list[str]:
    folder = REPO / "ground_truth" / "bagirov-1946-04-20"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.gt.txt")))
    words = text.split()
    # lines of a typewritten page: about 60 characters
    lines, cur = [], ""
    for w in words:
        if len(cur) + len(w) + 1 > 60:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def _corrupt(line: str, rate: float, rng: random.Random) -> str:
    out = []
    for ch in line:
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choice(ALPHABET))
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out.extend((ch, rng.choice(ALPHABET)))
        else:
            out.append(ch)
    return "".join(out)


def make_corpus(root: Path, docs: int, pages: int, rate: float, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    source = _source_lines()
    scans, out, gt = root / "scans", root / "out", root / "gt"
    for d in range(docs):
        name = f"doc{d:03d}"
        for folder in (scans / name, out / name, gt / name):
            folder.mkdir(parents=True)
        result_pages = []
        for p in range(1, pages + 1):
            start = rng.randrange(0, max(1, len(source) - 30))
            gt_lines = source[start : start + 24]
            (gt / name / f"{p:04d}.gt.txt").write_text("\n".join(gt_lines) + "\n", encoding="utf-8")
            ocr_lines = [_corrupt(ln, rate, rng) for ln in gt_lines]
            moved = ocr_lines.pop(rng.randrange(len(ocr_lines)))  # read out of order, like a marginal note
            ocr_lines.insert(rng.randrange(len(ocr_lines) + 1), moved)
            boxes = [BBox(150, 300 + i * 90, 2300, 370 + i * 90) for i in range(len(ocr_lines))]
            lines = tuple(Line(t, b, 0.9) for t, b in zip(ocr_lines, boxes, strict=True))
            half = len(lines) // 2
            regions = (
                Region("r1", RegionType.BODY, BBox.enclosing(list(boxes[:half])), "\n".join(ocr_lines[:half]), 0.9,
                       lines[:half]),
                Region("r2", RegionType.BODY, BBox.enclosing(list(boxes[half:])), "\n".join(ocr_lines[half:]), 0.9,
                       lines[half:]),
            )  # fmt: skip
            img = Image.new("L", (2480, 3508), 235)
            draw = ImageDraw.Draw(img)
            for b in boxes:
                draw.rectangle(b.to_list(), fill=60)
            img.save(scans / name / f"{p:04d}.png", optimize=False, compress_level=1)
            result_pages.append(PageResult(p, f"{p:04d}.png", 2480, 3508, 300.0, regions))
        doc = DocumentResult(name, str(scans / name), tuple(result_pages))
        (out / name / f"{name}.json").write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
    (out / "run.json").write_text(json.dumps({"input": str(scans)}), encoding="utf-8")
    return out, gt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--error-rate", type=float, default=0.04)
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="eval-speed-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        out, gt = make_corpus(root, args.docs, args.pages, args.error_rate, args.seed)
        made = time.perf_counter() - t0

        pairs = []
        for doc_json in sorted(out.glob("*/*.json")):
            doc = DocumentResult.from_dict(json.loads(doc_json.read_text(encoding="utf-8")))
            for page in doc.pages:
                ref = (gt / doc.name / f"{page.number:04d}.gt.txt").read_text(encoding="utf-8")
                pairs.append((default(ref), default(page.text)))
        # wall and CPU seconds: the machine may be shared, and CPU time is what the step itself costs
        t0, c0 = time.perf_counter(), time.process_time()
        baseline_cer = jiwer.cer([r for r, _ in pairs], [h for _, h in pairs])
        baseline, baseline_cpu = time.perf_counter() - t0, time.process_time() - c0

        t0, c0 = time.perf_counter(), time.process_time()
        summary = summarize(out, gt)
        evaluated, evaluated_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        write_report(summary, root / "report", out_dir=out, gt_dir=gt)
        reported, reported_cpu = time.perf_counter() - t0, time.process_time() - c0
        html_kb = (root / "report" / "report.html").stat().st_size / 1024
        assets_kb = sum(p.stat().st_size for p in (root / "report" / "assets").iterdir()) / 1024

    n = len(summary.all_pages)
    result = {
        "pages": n,
        "characters": summary.chars.reference_length,
        "error_rate_injected": args.error_rate,
        "seconds": {
            "make_corpus": round(made, 2),
            "baseline_jiwer_cer": round(baseline, 3),
            "summarize": round(evaluated, 3),
            "write_report": round(reported, 3),
        },
        "cpu_seconds": {
            "baseline_jiwer_cer": round(baseline_cpu, 3),
            "summarize": round(evaluated_cpu, 3),
            "write_report": round(reported_cpu, 3),
        },
        "cer": {"digitize": round(summary.chars.rate, 6), "jiwer": round(baseline_cer, 6)},
        "flexible_character_accuracy": round(summary.flex.accuracy, 6),
        "report_size_kb": {"html": round(html_kb), "assets": round(assets_kb)},
    }
    print(f"corpus: {n} pages, {summary.chars.reference_length} characters (made in {made:.1f} s)")
    print(f"{'step':<34}{'wall s':>9}{'CPU s':>9}{'CPU ms/page':>13}")
    for label, secs, cpu in (
        ("baseline: jiwer.cer only", baseline, baseline_cpu),
        ("digitize summarize (all measures)", evaluated, evaluated_cpu),
        ("digitize write_report", reported, reported_cpu),
    ):
        print(f"{label:<34}{secs:>9.2f}{cpu:>9.2f}{1000 * cpu / max(1, n):>13.1f}")
    print(f"CER digitize {summary.chars.rate:.4%} vs jiwer {baseline_cer:.4%} (same pairs, default profile)")
    print(f"report.html {html_kb:.0f} KiB, assets {assets_kb:.0f} KiB")
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "eval_speed.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
