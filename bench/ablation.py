"""Ablation of the OCR image: which preprocessing and reading choices earn their place, measured.

Each variant changes one setting of :class:`~digitize.config.PreprocessConfig` or
:class:`~digitize.config.OcrConfig` (or the image read) from the defaults; every page is prepared and read
with one full-page Tesseract pass, no layout analysis, and scored like ``bench/accuracy.py`` (profile
``default``; body CER where PAGE XML gives regions). Pages: the ``typical`` and ``hard`` facsimiles and the
real Soviet typewritten pages, the pages the defaults were tuned on. Results: ``bench/results/ablation.json``.

    .venv/bin/python bench/ablation.py [--sets typical,hard,real] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import RESULTS, PageCase, _body, _size, collect  # noqa: E402

from digitize.evaluate import normalize  # noqa: E402
from digitize.evaluate.metrics import ZERO, EditCounts, character_errors  # noqa: E402
from digitize.models import BBox, PageResult, Region, RegionType  # noqa: E402

#: name -> (PreprocessConfig changes, OcrConfig changes, image read)
VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "defaults (ink-free image)": ({}, {}, "ink_free"),
    "all inks (no colour separation)": ({}, {}, "gray"),
    "no illumination flattening": ({"flatten_illumination": False}, {}, "ink_free"),
    "binarize otsu": ({"binarize": "otsu"}, {}, "ink_free"),
    "binarize sauvola": ({"binarize": "sauvola"}, {}, "ink_free"),
    "x-height 16": ({"target_x_height": 16.0}, {}, "ink_free"),
    "x-height 24": ({"target_x_height": 24.0}, {}, "ink_free"),
    "no dictionary repair": ({}, {"lexicon_repair": False}, "ink_free"),
    "no look-alike repair": ({}, {"repair_lookalikes": False}, "ink_free"),
    "no user words": ({}, {"user_words": False}, "ink_free"),
}


def _one(
    args: tuple[PageCase, dict[str, Any], dict[str, Any], str],
) -> tuple[str, EditCounts, EditCounts | None, float]:
    from PIL import Image

    from digitize.config import OcrConfig, PreprocessConfig
    from digitize.errors import OcrEngineError
    from digitize.layout import to_original
    from digitize.layout.grouping import lines_from_words
    from digitize.models import PageImage, PageSource
    from digitize.ocr.reader import RegionReader
    from digitize.preprocess import prepare

    case, pkw, okw, image = args
    w, h, dpi = _size(case.image)
    with Image.open(case.image) as im:
        rgb = np.asarray(im.convert("RGB"))
    t0 = time.perf_counter()
    prepared = prepare(PageImage(rgb, dpi, PageSource(case.image), 1), PreprocessConfig(orientation=False, **pkw))
    src = prepared.extra.get(image, prepared.gray) if image != "gray" else prepared.gray
    try:
        lines = lines_from_words(RegionReader(OcrConfig(**okw)).page_words(prepared, image=src))
    except OcrEngineError:  # Tesseract gave up on the page (timeout): it read nothing
        lines = []
    seconds = time.perf_counter() - t0
    text = "\n".join(ln.text for ln in lines)
    region = to_original(prepared, Region("r1", RegionType.BODY, BBox(0, 0, 1, 1), lines=tuple(lines)))
    page = PageResult(1, "", w, h, dpi, regions=(region,))
    chars = character_errors(normalize.default(case.gt_text), normalize.default(text))
    return case.set, chars, _body(case, page), seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="typical,hard,real")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--variants", help="comma-separated names (default: all)")
    args = ap.parse_args()
    cases, notes = collect(args.sets.split(","), 0, 0, Path("."))
    names = args.variants.split(",") if args.variants else list(VARIANTS)
    rows = ["| variant | " + " | ".join(f"{s} page CER | {s} body CER" for s in args.sets.split(",")) + " |"]
    rows.append("|---" * (1 + 2 * len(args.sets.split(","))) + "|")
    report: dict[str, Any] = {"sets": args.sets, "notes": notes, "variants": {}}
    for name in names:
        pkw, okw, image = VARIANTS[name]
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(_one, [(c, pkw, okw, image) for c in cases]))
        agg: dict[str, list[Any]] = {}
        for set_name, chars, body, seconds in results:
            a = agg.setdefault(set_name, [ZERO, ZERO, 0.0, 0])
            a[0], a[1] = a[0] + chars, a[1] + (body or ZERO)
            a[2], a[3] = a[2] + seconds, a[3] + 1
        cells = []
        for s in args.sets.split(","):
            a = agg.get(s)
            if a is None:
                cells += ["-", "-"]
                continue
            cells += [f"{100 * a[0].rate:.2f}%", f"{100 * a[1].rate:.2f}%" if a[1].reference_length else "-"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
        report["variants"][name] = {
            s: {"cer": a[0].rate, "body_cer": a[1].rate if a[1].reference_length else None, "s_per_page": a[2] / a[3]}
            for s, a in agg.items()
        }
        print(rows[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ablation.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "ablation.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
