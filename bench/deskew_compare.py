"""Deskew accuracy: digitize's projection profiles against the ``deskew`` package and OCRmyPDF's own.

OCRmyPDF's ``--deskew`` asks Tesseract (``--psm 2``) for the page's deskew angle; ``deskew`` (PyPI) uses a
Hough transform over edges. Each estimator sees the same page of the source document's text, rendered
straight in a typewriter face with scan noise and rotated by known angles over +/-15 degrees; the table
gives the mean and worst absolute error and the seconds per estimate.
Results: ``bench/results/deskew.json``.

    .venv/bin/python bench/deskew_compare.py [--page ground_truth/bagirov-1946-04-20/0001.gt.txt]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitize.preprocess.deskew import estimate_skew  # noqa: E402

# not on any estimator's grid, so rounding to the search step counts as error
ANGLES = (-14.23, -9.47, -5.03, -2.31, -0.83, -0.17, 0.37, 1.13, 3.71, 7.94, 12.62)


def ours(gray: np.ndarray) -> float:
    return estimate_skew(gray)[0]


def deskew_package(gray: np.ndarray) -> float:
    from deskew import determine_skew

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    angle = determine_skew(small, min_deviation=0.1, max_angle=15)
    return float(angle or 0.0)


def tesseract_psm2(gray: np.ndarray) -> float:
    """What OCRmyPDF --deskew uses: Tesseract's page layout analysis reports the deskew angle."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        cv2.imwrite(str(path), gray)
        out = subprocess.run(
            ["tesseract", str(path), "stdout", "--psm", "2", "-l", "rus"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    m = re.search(r"Deskew angle:\s*([-0-9.]+)", out.stdout + out.stderr)
    # Tesseract reports radians, positive for text rising to the right (the correction is the same sign)
    return math.degrees(float(m.group(1))) if m else 0.0


def _rendered_page(text_file: Path) -> np.ndarray:
    """An A4 300-dpi page of typewriter-like text, exactly straight, with a little scan noise."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (2480, 3508), 235)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/freefont/FreeMono.ttf", 42)
    words = text_file.read_text(encoding="utf-8").split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 62:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    for i, text in enumerate(lines[:40]):
        draw.text((250, 400 + i * 75), text, font=font, fill=40)
    arr = np.asarray(img, dtype=np.float32) + np.random.default_rng(0).normal(0, 6, (3508, 2480))
    return np.clip(arr, 0, 255).astype(np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", type=Path, default=ROOT / "ground_truth" / "bagirov-1946-04-20" / "0001.gt.txt")
    args = ap.parse_args()
    if not args.page.exists():
        print(f"{args.page} missing; nothing to measure")
        return 0
    gray = _rendered_page(args.page)
    base = 0.0  # rendered straight: every estimator is scored against the angle applied
    h, w = gray.shape
    estimators = {"digitize": ours, "deskew (PyPI)": deskew_package, "tesseract psm 2 (OCRmyPDF)": tesseract_psm2}
    errors: dict[str, list[float]] = {k: [] for k in estimators}
    seconds: dict[str, float] = {k: 0.0 for k in estimators}

    def skew(angle: float) -> np.ndarray:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)  # skew the page by +angle clockwise
        return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)

    # tools differ in sign convention: fix each one's sign once, on a clear 6 degree skew
    calibration = skew(6.0)
    signs = {name: (1.0 if fn(calibration) * (base + 6.0) >= 0 else -1.0) for name, fn in estimators.items()}
    for angle in ANGLES:
        skewed, truth = skew(angle), base + angle
        for name, fn in estimators.items():
            t0 = time.perf_counter()
            found = signs[name] * fn(skewed)
            seconds[name] += time.perf_counter() - t0
            errors[name].append(abs(found - truth))
    rows = ["| estimator | mean error (deg) | worst error (deg) | s/estimate |", "|---|---|---|---|"]
    report = {"page": str(args.page.relative_to(ROOT)), "angles": ANGLES, "base_skew": base, "estimators": {}}
    for name in estimators:
        e = errors[name]
        rows.append(f"| {name} | {np.mean(e):.3f} | {max(e):.3f} | {seconds[name] / len(ANGLES):.2f} |")
        report["estimators"][name] = {  # type: ignore[index]
            "mean_error": round(float(np.mean(e)), 4),
            "max_error": round(float(max(e)), 4),
            "seconds": round(seconds[name] / len(ANGLES), 3),
            "errors": [round(x, 4) for x in e],
        }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "deskew.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
