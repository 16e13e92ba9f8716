"""Page orientation by Tesseract's OSD, trusted only above a confidence threshold."""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import OcrEngineError
from ..ocr import tesseract


def detect(gray: np.ndarray, *, dpi: float, min_confidence: float, timeout: float) -> tuple[int, float]:
    """Quarter turns clockwise (0-3) that make the page upright, and OSD's confidence.

    OSD is run on a copy no larger than about 2000 px (it needs letters, not detail); a low-confidence
    answer, too little text or an OSD failure leave the page as it is.
    """
    factor = min(1.0, 2000.0 / max(gray.shape))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    try:
        found = tesseract.detect_orientation(small, dpi=dpi * factor, timeout=timeout)
    except OcrEngineError:
        return 0, 0.0
    if found.confidence < min_confidence:
        return 0, found.confidence
    return (found.rotate // 90) % 4, found.confidence
