"""Binarisation choices for the OCR image. ``none`` leaves it to Tesseract's own (Otsu on its input)."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

Method = Literal["none", "otsu", "sauvola"]


def otsu(gray: np.ndarray) -> np.ndarray:
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def sauvola(gray: np.ndarray, window: int, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola's local threshold ``m * (1 + k (s / r - 1))`` over a ``window`` square."""
    window = max(3, window | 1)
    g = gray.astype(np.float32)
    mean = cv2.boxFilter(g, -1, (window, window), borderType=cv2.BORDER_REPLICATE)
    sq = cv2.boxFilter(g * g, -1, (window, window), borderType=cv2.BORDER_REPLICATE)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    threshold = mean * (1 + k * (std / r - 1))
    return np.where(g > threshold, 255, 0).astype(np.uint8)


def binarize(gray: np.ndarray, method: Method, x_height: float) -> np.ndarray:
    if method == "otsu":
        return otsu(gray)
    if method == "sauvola":
        return sauvola(gray, int(4 * x_height))
    return gray


def remove_specks(gray: np.ndarray, x_height: float, threshold: int = 160) -> tuple[np.ndarray, int]:
    """Whiten isolated dark specks far smaller than a full stop; strokes, dots and commas are kept."""
    dark = (gray < threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    limit = max(2.0, (0.1 * x_height) ** 2)
    small = stats[:, cv2.CC_STAT_AREA] < limit
    small[0] = False
    if not small.any():
        return gray, 0
    out = gray.copy()
    out[small[labels]] = 255
    return out, int(small.sum())
