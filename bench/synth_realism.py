"""How hard are the facsimiles for OCR? Stock ``tesseract -l rus`` CER on the source document's facsimiles.

The source document (``ground_truth/bagirov-1946-04-20``) is rendered in this run with the ``clean`` preset
(the baseline), ``typical`` and ``hard`` (seed 1946: the same bytes as the committed ``scans/``), JPEG-encoded
as saved. For each set:

- body CER: every ``body`` region of the PAGE XML ground truth is cropped (the box of its polygon) and read
  by stock Tesseract (``-l rus``, LSTM, ``--psm 6``: the crop is one block of text; with the default ``--psm 3``
  Tesseract's page segmentation at times drops the lines under a stamp whole, and that noise, a few hundred
  characters either way, swamps the difference between the presets); its text is compared with the region's
  ground truth after the ``default`` normalisation (NFC, whitespace runs collapsed);
- handwriting CER: the same for the handwritten regions (marginalia, resolutions, folio numbers, the archive
  reference), a check that the hand is not a clean font in disguise: stock Tesseract reads real handwriting
  badly;
- page CER: the whole page read by stock Tesseract (default ``--psm 3``) against the page's ``.gt.txt``
  (marginalia, handwriting, the stamps' untranscribed text and the page-3 letter column included).

Figures are weighted by characters. Results: ``bench/results/synth_realism.json``.

    .venv/bin/python bench/synth_realism.py [--presets clean,typical,hard] [--seed 1946] [--no-page]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitize.evaluate import normalize  # noqa: E402
from digitize.evaluate.metrics import ZERO, character_errors  # noqa: E402
from digitize.models import RegionType  # noqa: E402
from digitize.ocr import tesseract  # noqa: E402
from digitize.synth import load_ground_truth, preset, render_document  # noqa: E402

GT = ROOT / "ground_truth" / "bagirov-1946-04-20"
# region types the source document's layout writes by hand
_HAND = (RegionType.MARGINALIA, RegionType.FOLIO_NUMBER, RegionType.ARCHIVE_REFERENCE)
RESULTS = ROOT / "bench" / "results"


def _as_scanned(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def _ocr(image: np.ndarray, psm: int = 3) -> str:
    return tesseract.recognize_text(image, lang="rus", psm=psm, dpi=300, timeout=300)


def measure(preset_name: str, seed: int, whole_page: bool) -> dict:
    knobs = preset(preset_name)
    pages = render_document(load_ground_truth(GT), knobs, seed=seed)
    body = ZERO
    hand = ZERO
    page_total = ZERO
    per_page = []
    t0 = time.perf_counter()
    for rp in pages:
        image = _as_scanned(rp.jpeg(knobs.jpeg_quality))
        page_body = ZERO
        for region in rp.page.regions:
            if not region.text.strip() or region.type not in (RegionType.BODY, *_HAND):
                continue
            b = region.bbox
            hyp = _ocr(image[b.y0 : b.y1, b.x0 : b.x1], psm=6)
            counts = character_errors(normalize.default(region.text), normalize.default(hyp))
            if region.type == RegionType.BODY:
                page_body = page_body + counts
            else:
                hand = hand + counts
        body = body + page_body
        row = {"page": rp.page.source, "body_cer": round(page_body.rate, 4), "body_chars": page_body.reference_length}
        if whole_page:
            counts = character_errors(normalize.default(rp.gt_text), normalize.default(_ocr(image)))
            page_total = page_total + counts
            row["page_cer"] = round(counts.rate, 4)
        per_page.append(row)
    out = {
        "preset": preset_name,
        "seed": seed,
        "body_cer": round(body.rate, 4),
        "body_chars": body.reference_length,
        "handwriting_cer": round(hand.rate, 4),
        "handwriting_chars": hand.reference_length,
        "pages": per_page,
        "ocr_seconds": round(time.perf_counter() - t0, 1),
    }
    if whole_page:
        out["page_cer"] = round(page_total.rate, 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default="clean,typical,hard")
    ap.add_argument("--seed", type=int, default=1946)
    ap.add_argument("--no-page", action="store_true", help="Skip the whole-page OCR (faster).")
    args = ap.parse_args()
    info = tesseract.info()
    rows = [measure(p, args.seed, not args.no_page) for p in args.presets.split(",")]
    print(f"stock tesseract {info.version} -l rus (body regions --psm 6, pages --psm 3); CER weighted by characters")
    print(f"{'preset':10} {'body CER':>9} {'body chars':>11} {'hand CER':>9} {'hand chars':>11} {'page CER':>9}")
    for r in rows:
        page = f"{r['page_cer']:.2%}" if "page_cer" in r else "-"
        print(
            f"{r['preset']:10} {r['body_cer']:>9.2%} {r['body_chars']:>11} "
            f"{r['handwriting_cer']:>9.2%} {r['handwriting_chars']:>11} {page:>9}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"tesseract": info.version, "document": GT.name, "results": rows}
    (RESULTS / "synth_realism.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written {RESULTS / 'synth_realism.json'}")


if __name__ == "__main__":
    main()
