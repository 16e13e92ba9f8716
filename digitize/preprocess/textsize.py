"""Text size and resolution normalisation: how much to scale a page so its letters suit Tesseract.

A scan's DPI tag is often missing or wrong (web copies, phone photos), so the scale is decided from the
letters themselves: the median height of character-sized connected components approximates the x-height.
Tesseract's LSTM reads typewriting best at an x-height of about 20 px (a 10-pitch typewriter at 300 dpi).
"""

from __future__ import annotations

import cv2
import numpy as np


def estimate_x_height(gray: np.ndarray) -> float | None:
    """Median height in pixels of letter-sized dark components, or None when the page has too few."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n < 2:
        return None
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    limit = max(gray.shape) * 0.05
    # letter-like: not specks, not rules or page edges, not much wider than tall (touching letters aside)
    keep = (h >= 4) & (h <= limit) & (w >= 2) & (w <= 4 * h) & (area >= 8) & (area >= 0.15 * w * h)
    if keep.sum() < 30:
        return None
    return float(np.median(h[keep]))


def scale_for(x_height: float | None, target: float, min_scale: float, max_scale: float, tolerance: float) -> float:
    """The factor that brings ``x_height`` to ``target``; 1.0 when unknown or already close enough."""
    if x_height is None or x_height <= 0:
        return 1.0
    scale = float(np.clip(target / x_height, min_scale, max_scale))
    return 1.0 if abs(scale - 1.0) < tolerance else scale
