"""Skew estimation by projection profiles of letter-sized ink.

For each candidate angle the ink pixels are projected onto the page's vertical axis; when the angle
straightens the text lines, the profile turns into sharp peaks (lines) and empty valleys (leading), which
maximises the sum of squared bin counts. A coarse search over the whole range is refined around the best
angle. Only components the size of letters vote, so dark scan edges, rules and stamps do not pull the
estimate, and a sample of pixels keeps each angle to a single ``bincount``.
"""

from __future__ import annotations

import cv2
import numpy as np

#: longest side of the image the estimate runs on: long enough for 0.1 degree, short enough to be quick
_WORK_SIDE = 1800
#: fewer letter-sized components than this (about two typed lines) and the page is left as it is
_MIN_LETTERS = 80


def letter_mask(gray: np.ndarray, x_height: float | None = None) -> tuple[np.ndarray, int]:
    """Boolean mask of dark components whose size is that of letters (or touching letters), and their count."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    limit = max(3 * x_height, 8) if x_height else max(gray.shape) * 0.04
    keep = (h >= 2) & (h <= limit) & (w <= 8 * limit)
    keep[0] = False
    return keep[labels], int(keep.sum())


def _score(xs: np.ndarray, ys: np.ndarray, angle_deg: float, n_bins: int) -> float:
    a = np.deg2rad(angle_deg)
    # y coordinate after cv2's counter-clockwise rotation by ``a``: -x sin a + y cos a
    proj = -xs * np.sin(a) + ys * np.cos(a)
    bins = np.bincount((proj - proj.min()).astype(np.int64), minlength=n_bins)
    return float(np.dot(bins, bins))


def estimate_skew(
    gray: np.ndarray, max_deg: float = 15.0, step_deg: float = 0.05, x_height: float | None = None
) -> tuple[float, float]:
    """The counter-clockwise rotation in degrees that makes text lines horizontal, and a confidence 0..1.

    The confidence compares the best profile with the one at the worst angle: near 0 on a page with no
    lines of text (nothing to straighten), near 1 on ordinary typewriting.
    """
    factor = min(1.0, _WORK_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    mask, n_letters = letter_mask(small, x_height * factor if x_height else None)
    ys, xs = np.nonzero(mask)
    if n_letters < _MIN_LETTERS:
        return 0.0, 0.0  # a folio number and a few marks do not define lines of text
    rng = np.random.default_rng(0)
    if len(xs) > 250_000:
        pick = rng.choice(len(xs), 250_000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64) - small.shape[0] / 2
    n_bins = int(np.hypot(*small.shape)) + 2

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    scores = np.array([_score(xs, ys, a, n_bins) for a in coarse])
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, step_deg)
    fine_scores = np.array([_score(xs, ys, a, n_bins) for a in fine])
    angle = float(fine[int(np.argmax(fine_scores))])
    top, low = float(fine_scores.max()), float(scores.min())
    confidence = 0.0 if top <= 0 else max(0.0, min(1.0, (top - low) / top))
    return angle, confidence
