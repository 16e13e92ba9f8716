"""Illumination flattening: divide the page by an estimate of its background.

The background is the page with the ink closed away (a grey closing with a window wider than any stroke),
estimated on a reduced copy because lighting varies slowly. Dividing by it turns uneven lighting,
photocopy grey, yellowed paper and the gradient of a dark edge into an even white, and leaves the ink
as dark as it was relative to its surroundings.
"""

from __future__ import annotations

import cv2
import numpy as np


def background(gray: np.ndarray, window: int) -> np.ndarray:
    """Smooth estimate of the paper's brightness, same size as ``gray``."""
    factor = min(1.0, 16.0 / max(window, 1))  # the window shrinks to ~16 px on the reduced copy
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    k = max(3, int(round(window * factor)) | 1)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    closed = cv2.medianBlur(closed, 5)
    closed = cv2.GaussianBlur(closed, (0, 0), k / 2)
    if closed.shape != gray.shape:
        closed = cv2.resize(closed, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return closed


def flatten(gray: np.ndarray, window: int) -> np.ndarray:
    """``gray`` divided by its background, so the paper reads as white (255) everywhere."""
    bg = background(gray, window).astype(np.float32)
    out = gray.astype(np.float32) * (255.0 / np.maximum(bg, 1.0))
    return np.clip(out, 0, 255).astype(np.uint8)


def stretch(gray: np.ndarray, low_percentile: float = 0.5) -> np.ndarray:
    """Stretch contrast so the darkest ink reaches black; faint photocopies gain the most."""
    sample = gray[:: max(1, gray.shape[0] // 600), :: max(1, gray.shape[1] // 600)]
    low = float(np.percentile(sample, low_percentile))
    if low >= 200:  # almost no ink: nothing to stretch against
        return gray
    lut = np.clip((np.arange(256, dtype=np.float32) - low) * (255.0 / (255.0 - low)), 0, 255).astype(np.uint8)
    return cv2.LUT(gray, lut)
