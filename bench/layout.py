"""Layout benchmark: per-type precision/recall/F1 at IoU >= 0.5, beside a baseline measured in the same run.

Sets (each skipped, with a note, when absent):
- ``typical`` / ``hard``: the facsimiles ``scans/bagirov-1946-04-20[-hard]/`` with PAGE XML in
  ``ground_truth/bagirov-1946-04-20[-hard]/`` (or the ``.xml`` beside the scans);
- ``corpus``: ``--corpus N`` pages made now by ``digitize synth`` with ``--seed``, typical preset. The default,
  2718, is held out: the layout rules were tuned on the facsimiles and on corpus seeds 9001 and 12345 (an
  earlier round, per the README's history, also looked at 4242, which is the accuracy benchmark's held-out seed),
  so 2718 measures pages no tuning saw. Tune with other seeds, never 2718.

Baseline: the same pages with layout detection off (one ``body`` region per Tesseract block), on the first
``--baseline-pages`` pages of each set. Stamp check: corpus pages rendered twice, with and without stamps over the
text (``stamp_over_text``), and the body CER of each.

    .venv/bin/python bench/layout.py --corpus 100 --seed 2718 --jobs 2
    .venv/bin/python bench/layout.py --corpus 100 --corpus-dir /tmp/layout-bench-XXXX   # reuse a rendered corpus

Writes ``bench/results/layout.json`` and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from digitize.config import RunConfig  # noqa: E402
from digitize.evaluate.layout import LayoutScore, score_page  # noqa: E402
from digitize.models import PageResult, PageSource, RegionType  # noqa: E402
from digitize.pagexml import read_page_xml  # noqa: E402
from digitize.pipeline import process_page  # noqa: E402
from digitize.sources import load_page  # noqa: E402

TARGETS = {
    "stamp": 0.95,
    "folio_number": 0.95,
    "transmission_block": 0.95,
    "body": 0.95,
    "marginalia": 0.90,
    "signature": 0.90,
}


def _run_page(args: tuple[Path, Path, bool]) -> tuple[str, dict, dict, float]:
    image, xml, layout_on = args
    cfg = RunConfig().updated(layout={"enabled": layout_on})
    page = load_page(PageSource(image), 1, cfg.input)
    t0 = time.perf_counter()
    result = process_page(page, cfg)
    return str(image), result.to_dict(), read_page_xml(xml).to_dict(), time.perf_counter() - t0


def _pairs(scans: Path, truth: Path) -> list[tuple[Path, Path]]:
    out = []
    for img in sorted(p for p in scans.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff")):
        xml = truth / f"{img.stem}.xml"
        if not xml.exists():
            xml = img.with_suffix(".xml")
        if xml.exists():
            out.append((img, xml))
    return out


def _score(results: list[tuple[str, dict, dict, float]], name: str) -> LayoutScore:
    total = LayoutScore(name)
    for _, pred, truth, _ in results:
        p, t = PageResult.from_dict(pred), PageResult.from_dict(truth)
        total.add(score_page(list(p.regions), list(t.regions)))
    return total


def _stamped_body_cer(
    results: list[tuple[str, dict, dict, float]], stamped_truth: list[dict]
) -> tuple[float, int, int]:
    """CER of the body paragraphs a stamp covers (in ``stamped_truth``), read from ``results``' pages.

    Each covered ground-truth paragraph is paired with the predicted body region overlapping it most (IoU >= 0.5);
    a paragraph with no such region counts as wholly missed. Returns (CER, characters, paragraphs).
    """
    edits = chars = paras = 0
    for (_, pred, _, _), truth in zip(results, stamped_truth, strict=True):
        p, t = PageResult.from_dict(pred), PageResult.from_dict(truth)
        stamps = [r.bbox for r in t.regions if r.type is RegionType.STAMP]
        for g in t.regions:
            if g.type is not RegionType.BODY or not any(g.bbox.intersection(s) > 0 for s in stamps):
                continue
            ref = " ".join(g.text.split())
            cands = [r for r in p.regions if r.type is RegionType.BODY and r.bbox.iou(g.bbox) >= 0.5]
            hyp = " ".join(max(cands, key=lambda r: r.bbox.iou(g.bbox)).text.split()) if cands else ""
            edits += Levenshtein.distance(ref, hyp)
            chars += len(ref)
            paras += 1
    return (edits / chars if chars else 0.0), chars, paras


def _table(score: LayoutScore, base: LayoutScore | None) -> str:
    rows = [f"{'type':<20}{'support':>8}{'P':>7}{'R':>7}{'F1':>7}{'target':>8}{'base F1':>9}"]
    for t in RegionType:
        s = score.per_type.get(str(t))
        if s is None or (s.support == 0 and s.fp == 0):
            continue
        b = base.per_type.get(str(t)) if base else None
        target = TARGETS.get(str(t))
        rows.append(
            f"{t.value:<20}{s.support:>8}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
            f"{(f'{target:.2f}' if target else '-'):>8}{(f'{b.f1:.3f}' if b else '-'):>9}"
        )
    return "\n".join(rows)


def _confusion(score: LayoutScore) -> str:
    return "\n".join(f"  {g:<20} -> {p:<20} {n}" for (g, p), n in sorted(score.confusion.items()) if g != p)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=int, default=100, help="corpus pages to make and score (0: none)")
    ap.add_argument("--seed", type=int, default=2718, help="corpus seed (2718: held out, no tuning used it)")
    ap.add_argument("--preset", default="typical")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--baseline-pages", type=int, default=10, help="pages per set also run with layout off")
    ap.add_argument("--stamp-pages", type=int, default=20, help="corpus pages rendered without stamps too")
    ap.add_argument("--sets", default="typical,hard,corpus")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "layout.json")
    ap.add_argument(
        "--corpus-dir",
        type=Path,
        help="reuse a corpus an earlier run made (its scans/, gt/, nostamp/, nostamp-gt/) instead of rendering it",
    )
    args = ap.parse_args()

    from digitize.synth import preset, synthesize_corpus

    sets: dict[str, list[tuple[Path, Path]]] = {}
    wanted = args.sets.split(",")
    for name, folder in (("typical", "bagirov-1946-04-20"), ("hard", "bagirov-1946-04-20-hard")):
        if name in wanted:
            pairs = _pairs(REPO / "scans" / folder, REPO / "ground_truth" / folder)
            if pairs:
                sets[name] = pairs
            else:
                print(f"[{name}] skipped: no scans/{folder} with PAGE XML")
    tmp = args.corpus_dir or Path(tempfile.mkdtemp(prefix="layout-bench-"))
    if "corpus" in wanted and args.corpus and args.corpus_dir:
        sets["corpus"] = _pairs(tmp / "scans", tmp / "gt")[: args.corpus]
    elif "corpus" in wanted and args.corpus:
        knobs = preset(args.preset)
        synthesize_corpus(
            args.corpus,
            tmp / "scans",
            knobs,
            seed=args.seed,
            gt_out=tmp / "gt",
            jobs=args.jobs,
            preset_name=args.preset,
        )
        sets["corpus"] = _pairs(tmp / "scans", tmp / "gt")
        if args.stamp_pages:
            n = min(args.stamp_pages, args.corpus)
            synthesize_corpus(
                n,
                tmp / "nostamp",
                knobs.updated(stamp_over_text=False),
                seed=args.seed,
                gt_out=tmp / "nostamp-gt",
                jobs=args.jobs,
                preset_name=args.preset,
            )

    report: dict = {"seed": args.seed, "preset": args.preset, "sets": {}}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, pairs in sets.items():
            t0 = time.perf_counter()
            results = list(pool.map(_run_page, [(i, x, True) for i, x in pairs]))
            wall = time.perf_counter() - t0
            base_results = list(pool.map(_run_page, [(i, x, False) for i, x in pairs[: args.baseline_pages]]))
            score = _score(results, name)
            base = _score(base_results, f"{name}-baseline") if base_results else None
            secs = sum(r[3] for r in results) / len(results)
            print(f"\n[{name}] {len(pairs)} pages, {secs:.1f} s/page (layout on), wall {wall:.0f} s")
            print(_table(score, base))
            print(f"baseline: layout off on the first {len(base_results)} pages")
            conf = _confusion(score)
            if conf:
                print("confusions (truth -> predicted):\n" + conf)
            report["sets"][name] = {
                "baseline_pages": len(base_results),
                "pages": len(pairs),
                "seconds_per_page": round(secs, 2),
                "score": score.to_dict(),
                "baseline": base.to_dict() if base else None,
                "worst_pages": sorted(
                    ((Path(r[0]).name, _score([r], "p").overall.f1) for r in results), key=lambda x: x[1]
                )[:5],
            }
            if name == "corpus" and args.stamp_pages:
                n = min(args.stamp_pages, len(pairs))
                plain_pairs = _pairs(tmp / "nostamp", tmp / "nostamp-gt")[:n]
                plain = list(pool.map(_run_page, [(i, x, True) for i, x in plain_pairs]))
                stamped_truth = [r[2] for r in results[:n]]
                cer_s, n_s, paras = _stamped_body_cer(results[:n], stamped_truth)
                cer_p, _, _ = _stamped_body_cer(plain, stamped_truth)
                ratio = cer_s / cer_p if cer_p else (float("inf") if cer_s else 1.0)
                print(
                    f"body CER of the {paras} paragraphs a stamp covers ({n_s} characters, first {n} corpus pages): "
                    f"with the stamp {cer_s:.2%}, same pages without it {cer_p:.2%}, ratio {ratio:.2f} "
                    "(target <= 1.5)"
                )
                report["stamp_cer"] = {
                    "pages": n,
                    "paragraphs": paras,
                    "characters": n_s,
                    "with_stamp": round(cer_s, 5),
                    "without": round(cer_p, 5),
                    "ratio": round(ratio, 3),
                }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
